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

    /**
     * The agent argument with which {@code report} loads the jar again when JMX cannot reach the target
     * (another network namespace): {@code @report:text:<nonce>} or {@code @report:html:<nonce>}. The
     * agent writes the live report to {@link #reportFile} in its own {@code /tmp} and returns; the
     * command line reads it through {@code /proc/<pid>/root}.
     */
    public static final String REPORT_ARGUMENT_PREFIX = "@report:";

    /** Set (to {@code file}) by an agent that answers {@link #REPORT_ARGUMENT_PREFIX}; older agents lack it. */
    public static final String REPORT_CHANNEL_PROPERTY = "io.churnagent.report.channel";

    /** What a nonce of {@link #REPORT_ARGUMENT_PREFIX} may be: hex, so that it can only name a file in /tmp. */
    public static final String NONCE_PATTERN = "[0-9a-f]{16,64}";

    /** The file, in the target's own file system, that {@code @report:<kind>:<nonce>} writes. */
    public static String reportFile(String nonce, boolean html) {
        return "/tmp/churn-agent-report-" + nonce + (html ? ".html" : ".txt");
    }

    private AgentState() {
    }
}
