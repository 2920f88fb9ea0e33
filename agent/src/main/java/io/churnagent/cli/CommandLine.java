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
        out.println("  detach <pid|name-fragment>           remove the instrumentation and stop the agent there");
        out.println("  doctor [--critical-ratio=0.8] [--proc=DIR]  check this host: port range, TIME_WAIT settings, the");
        out.println("                                       destinations holding the most ports now, what to fix first");
        out.println("  help                                 this text");
        out.println("  --version                            the agent's version");
        out.println();
        out.println("Exit status: 0 ok, 2 usage, 3 no such JVM, 4 several JVMs match, 5 cannot attach,");
        out.println("6 the agent failed in the target, 7 this Java has no jdk.attach module (use a JDK),");
        out.println("8 the JVM belongs to another user, 9 the JVM refuses attach (-XX:+DisableAttachMechanism),");
        out.println("10 the JVM is older than Java 11, 11 the agent is not active in that JVM,");
        out.println("12 doctor: a destination holds at least the critical ratio of its ports, 13 doctor: no /proc/net/tcp.");
    }
}
