package io.churnagent.cli;

import java.io.PrintStream;

/**
 * The jar's command line ({@code java -jar churn-agent.jar COMMAND ...}); stateless. Every failure is
 * one line on stderr and a distinct exit status (see {@link ExitCode}).
 */
public final class CommandLine {

    private CommandLine() {
    }

    /** The agent's version from the jar manifest, or "development build". */
    public static String version() {
        String v = CommandLine.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    /** Runs one command and returns the process exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage(out);
            return ExitCode.OK;
        }
        switch (args[0]) {
            case "--version":
            case "version":
                out.println("churn-agent " + version());
                return ExitCode.OK;
            case "list":
                if (args.length != 1) {
                    err.println("churn-agent: usage: list (it takes no arguments)");
                    return ExitCode.USAGE;
                }
                return attachModulePresent(err) ? Attach.list(out, err) : ExitCode.NO_ATTACH_MODULE;
            case "attach":
                if (args.length < 2 || args.length > 3) {
                    err.println("churn-agent: usage: attach <pid|name-fragment> [key=value,...]");
                    return ExitCode.USAGE;
                }
                return attachModulePresent(err)
                        ? Attach.attach(args[1], args.length == 3 ? args[2] : "", out, err) : ExitCode.NO_ATTACH_MODULE;
            case "report":
                if (args.length >= 3) {
                    return htmlReport(args, out, err);
                }
                // fall through: the text report takes the same single argument as detach
            case "detach":
                if (args.length != 2) {
                    err.println("churn-agent: usage: " + args[0] + " <pid|name-fragment>");
                    return ExitCode.USAGE;
                }
                if (!attachModulePresent(err)) {
                    return ExitCode.NO_ATTACH_MODULE;
                }
                return args[0].equals("report") ? Attach.report(args[1], out, err) : Attach.detach(args[1], out, err);
            case "doctor":
                return Doctor.run(args, out, err);
            default:
                err.println("churn-agent: unknown command '" + args[0] + "'; run 'java -jar churn-agent.jar help' for the commands");
                return ExitCode.USAGE;
        }
    }

    /** {@code report <pid|name> --html FILE} (or {@code --html=FILE}): the page, written to FILE. */
    private static int htmlReport(String[] args, PrintStream out, PrintStream err) {
        String file = null;
        if (args.length == 4 && args[2].equals("--html")) {
            file = args[3];
        } else if (args.length == 3 && args[2].startsWith("--html=")) {
            file = args[2].substring("--html=".length());
        }
        if (file == null || file.isEmpty() || file.startsWith("-")) {
            err.println("churn-agent: usage: report <pid|name-fragment> [--html FILE]"
                    + (args.length == 3 && args[2].equals("--html") ? " (--html needs the file to write)" : ""));
            return ExitCode.USAGE;
        }
        java.nio.file.Path path;
        try {
            path = java.nio.file.Paths.get(file).toAbsolutePath();
        } catch (java.nio.file.InvalidPathException e) {
            err.println("churn-agent: usage: report <pid|name-fragment> --html FILE: '" + file + "' is not a file path ("
                    + e.getReason() + ")");
            return ExitCode.USAGE;
        }
        String unwritable = unwritable(path);
        if (unwritable != null) {
            err.println("churn-agent: cannot write the HTML report to " + path + ": " + unwritable);
            return ExitCode.CANNOT_WRITE;
        }
        if (!attachModulePresent(err)) {
            return ExitCode.NO_ATTACH_MODULE;
        }
        return Attach.htmlReport(args[1], path, out, err);
    }

    /** Why {@code file} cannot be written, checked before attaching; null when it looks writable. */
    static String unwritable(java.nio.file.Path file) {
        java.nio.file.Path dir = file.getParent();
        if (java.nio.file.Files.isDirectory(file)) {
            return "it is a directory";
        }
        if (dir == null || !java.nio.file.Files.isDirectory(dir)) {
            return "the directory " + dir + " does not exist";
        }
        if (java.nio.file.Files.exists(file) ? !java.nio.file.Files.isWritable(file) : !java.nio.file.Files.isWritable(dir)) {
            return (java.nio.file.Files.exists(file) ? "the file" : "the directory " + dir) + " is not writable by this user";
        }
        return null;
    }

    /**
     * Checked before {@link Attach} is touched: linking it needs {@code com.sun.tools.attach}, which a
     * JRE lacks, and a NoClassDefFoundError is no message for a person.
     */
    private static boolean attachModulePresent(PrintStream err) {
        if (!ModuleLayer.boot().findModule("jdk.attach").isPresent()) {
            err.println("churn-agent: this Java (" + System.getProperty("java.home") + ") has no jdk.attach module; "
                    + "run the command with a JDK's java, not a JRE");
            return false;
        }
        return true;
    }

    private static void usage(PrintStream out) {
        out.println("Churn Agent " + version() + ": finds outbound connection churn before the ephemeral ports run out.");
        out.println();
        out.println("At start-up:  java -javaagent:churn-agent.jar[=key=value,...] -jar your-app.jar");
        out.println();
        out.println("Commands (java -jar churn-agent.jar COMMAND):");
        out.println("  list                                 the JVMs you can attach to, and whether the agent is in them");
        out.println("  attach <pid|name-fragment> [k=v,...] load the agent into a running JVM, with the same options;");
        out.println("                                       again: the running agent takes the new options");
        out.println("  report <pid|name-fragment>           print the agent's live churn report from that JVM");
        out.println("  report <pid|name-fragment> --html FILE  write it as one HTML page (charts, call sites) to FILE");
        out.println("  detach <pid|name-fragment>           remove the instrumentation and stop the agent there");
        out.println("  doctor [--critical-ratio=0.8] [--proc=DIR]  check this host: port range, TIME_WAIT settings, the");
        out.println("                                       destinations holding the most ports now, what to fix first");
        out.println("  doctor --pid=<pid>                   the same for that process's network namespace (a container's)");
        out.println("  help                                 this text");
        out.println("  --version                            the agent's version");
        out.println();
        out.println("Exit status: 0 ok, 2 usage, 3 no such JVM, 4 several JVMs match, 5 cannot attach,");
        out.println("6 the agent failed in the target, 7 this Java has no jdk.attach module (use a JDK),");
        out.println("8 the JVM belongs to another user, 9 the JVM refuses attach (-XX:+DisableAttachMechanism),");
        out.println("10 the JVM is older than Java 11, 11 the agent is not active in that JVM,");
        out.println("12 doctor: a destination holds at least the critical ratio of its ports, 13 doctor: no /proc/net/tcp,");
        out.println("14 report --html: the file cannot be written.");
    }
}
