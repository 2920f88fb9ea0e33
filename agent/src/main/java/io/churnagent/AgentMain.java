package io.churnagent;

import io.churnagent.cli.CommandLine;

import java.lang.instrument.Instrumentation;

/**
 * The agent jar's entry points: {@code premain} for {@code -javaagent}, {@code agentmain} for dynamic
 * attach, {@code main} for the command line. Each hands over at once, {@link AgentLifecycle#enter}
 * never throws: no failure of the agent stops the application.
 */
public final class AgentMain {

    private AgentMain() {
    }

    /** Called by the JVM for {@code -javaagent:churn-agent.jar[=options]}. */
    public static void premain(String args, Instrumentation inst) {
        AgentLifecycle.enter(EntryPoint.PREMAIN, args, inst);
    }

    /** Called by the JVM when the agent is loaded into a running JVM (also for {@code detach} and {@code report}). */
    public static void agentmain(String args, Instrumentation inst) {
        AgentLifecycle.enter(EntryPoint.AGENTMAIN, args, inst);
    }

    /** The command line: {@code list}, {@code attach}, {@code report}, {@code detach}, {@code doctor}. */
    public static void main(String[] args) {
        System.exit(CommandLine.run(args, System.out, System.err));
    }
}
