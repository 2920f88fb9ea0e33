package io.churnagent;

import java.lang.instrument.Instrumentation;

/**
 * The agent jar's entry points: {@code premain} for {@code -javaagent}, {@code agentmain} for dynamic
 * attach, {@code main} for the command line. Tiny on purpose: it hands over to {@link AgentRuntime}
 * and guarantees that no failure of the agent stops the application from starting.
 */
public final class AgentMain {

    private AgentMain() {
    }

    /** Called by the JVM for {@code -javaagent:churn-agent.jar[=options]}. */
    public static void premain(String args, Instrumentation inst) {
        start(args, inst, "premain");
    }

    /** Called by the JVM when the agent is loaded into a running JVM. */
    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, "agentmain");
    }

    private static void start(String args, Instrumentation inst, String how) {
        try {
            AgentRuntime.start(args, inst, how);
        } catch (Throwable t) {
            System.err.println("[churn-agent] could not start (" + t + "); the application continues without the agent");
        }
    }

    /** The command line; {@code help} and {@code --version} for now. */
    public static void main(String[] args) {
        System.exit(io.churnagent.cli.CommandLine.run(args, System.out, System.err));
    }
}
