package io.churnagent.cli;

/** Ends a command: one line for the user and the exit status ({@link ExitCode}). */
final class CommandFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    CommandFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }
}
