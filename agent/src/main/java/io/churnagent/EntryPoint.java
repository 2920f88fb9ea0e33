package io.churnagent;

/** How the JVM entered the agent; its {@link #logName} is the {@code how=} field of the lifecycle's events. */
enum EntryPoint {
    /** {@code -javaagent:churn-agent.jar[=options]}, before the application's main. */
    PREMAIN("premain"),
    /** A dynamic attach ({@code churn-agent.jar attach}, the JUnit extension's own load). */
    AGENTMAIN("agentmain");

    private final String logName;

    EntryPoint(String logName) {
        this.logName = logName;
    }

    String logName() {
        return logName;
    }
}
