package io.churnagent.junit;

import io.churnagent.InProcessAgent;

/**
 * Loads the agent into the test JVM once: it is there already with {@code -javaagent}, or is
 * attached here; thread-safe. Remembers the outcome, so a JVM that cannot take the agent says why
 * once per test class, not once per attempt.
 */
final class AgentLoading {

    /** Configuration parameter: the agent's options ({@code key=value,...}) for a load made here. */
    static final String OPTIONS = "churn.agent.options";
    /** Configuration parameter: {@code fail} (the default) or {@code skip} the tests when the agent cannot load. */
    static final String UNAVAILABLE = "churn.junit.unavailable";

    private static boolean tried;
    private static String failure;
    private static Runnable removal;

    private AgentLoading() {
    }

    /** Null when the agent runs and the recorder is installed in it; else why not, in one line. */
    static synchronized String ensureLoaded(String options) {
        if (!tried) {
            tried = true;
            try {
                failure = InProcessAgent.start(options);
                if (failure == null) {
                    removal = InProcessAgent.observe(ScopeRecorder.INSTANCE);
                }
            } catch (Throwable t) {
                failure = "cannot load the agent into this JVM: " + t;
            }
        }
        return failure;
    }

    /** Whether the agent was loaded and observes. */
    static synchronized boolean loaded() {
        return tried && failure == null && removal != null;
    }
}
