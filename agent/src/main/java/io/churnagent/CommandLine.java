package io.churnagent;

import java.io.PrintStream;

/** The jar's command line ({@code java -jar churn-agent.jar COMMAND}); stateless. */
final class CommandLine {

    static final int OK = 0;
    static final int USAGE = 2;

    private CommandLine() {
    }

    static String version() {
        String v = CommandLine.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.println("Churn Agent " + version() + ": finds outbound connection churn before the ephemeral ports run out.");
            out.println();
            out.println("Attach at start-up:  java -javaagent:churn-agent.jar[=key=value,...] -jar your-app.jar");
            out.println();
            out.println("Commands:");
            out.println("  help         this text");
            out.println("  --version    the agent's version");
            out.println();
            out.println("Options and how to read a warning: see README.md.");
            return OK;
        }
        if (args[0].equals("--version") || args[0].equals("version")) {
            out.println("churn-agent " + version());
            return OK;
        }
        err.println("churn-agent: unknown command '" + args[0] + "'; run 'java -jar churn-agent.jar help' for the commands");
        return USAGE;
    }
}
