package io.churnagent.cli;

/**
 * The two words the command line and the agent in a target JVM share; constants only, so that the
 * agent can name them without linking the attach API.
 */
public final class AgentState {

    /** A system property the agent sets (to its version) in every JVM it runs in; {@code list} reads it. */
    public static final String LOADED_PROPERTY = "io.churnagent.active";

    /** The agent argument with which {@code detach} loads the jar again: "undo the attach". */
    public static final String DETACH_ARGUMENT = "@detach";

    private AgentState() {
    }
}
