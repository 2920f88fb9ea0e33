package io.churnagent.instrument;

/**
 * The agent's own classes, which are never woven: its top-level classes ({@code io.churnagent.Agent*},
 * {@code AgentLifecycle}, ...), its packages and the shaded libraries. Not {@code io.churnagent.} as a
 * whole: the demo application, the benchmarks and the integration-test programs live under it
 * ({@code io.churnagent.demo}, {@code .bench}, {@code .it}) and are applications. Stateless.
 */
final class AgentClasses {

    private static final String ROOT = "io.churnagent.";

    private static final String[] PACKAGES = {
        "io.churnagent.shaded.", "io.churnagent.bootstrap.", "io.churnagent.churn.", "io.churnagent.instrument.",
        "io.churnagent.report.", "io.churnagent.log.", "io.churnagent.export.", "io.churnagent.config.", "io.churnagent.kernel.",
        "io.churnagent.cli.", "io.churnagent.testing.", "io.churnagent.api.",
    };

    private AgentClasses() {
    }

    /** Whether {@code name} (a binary class name) is one of the agent's classes. */
    static boolean isAgent(String name) {
        if (!name.startsWith(ROOT)) {
            return false;
        }
        if (name.indexOf('.', ROOT.length()) < 0) {
            return true; // io.churnagent.AgentMain, AgentLifecycle, ... (and their nested classes)
        }
        for (String p : PACKAGES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
