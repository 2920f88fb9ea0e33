package io.churnagent.cli;

/** The command line's exit statuses, one per kind of failure; documented in docs/CLI.md. */
final class ExitCode {
    static final int OK = 0;
    static final int USAGE = 2;
    static final int NO_SUCH_JVM = 3;
    static final int AMBIGUOUS = 4;
    static final int CANNOT_ATTACH = 5;
    static final int AGENT_FAILED = 6;
    static final int NO_ATTACH_MODULE = 7;
    static final int OTHER_USER = 8;
    static final int ATTACH_DISABLED = 9;
    static final int TARGET_TOO_OLD = 10;
    static final int NOT_ACTIVE = 11;
    /** doctor: some destination holds at least the critical ratio of its source ports right now. */
    static final int DOCTOR_CRITICAL = 12;
    /** doctor: neither /proc/net/tcp nor /proc/net/tcp6 could be read (not Linux, or /proc hidden). */
    static final int DOCTOR_NO_SOCKET_TABLE = 13;
    /** report --html: the file cannot be written (no such directory, no permission). */
    static final int CANNOT_WRITE = 14;

    private ExitCode() {
    }
}
