package io.churnagent;

/**
 * Where the agent's start-up time goes, phase by phase, for the {@code phases_ms=} field of
 * {@code event=agent_started}; used by one thread at a time (the starting one).
 */
final class StartupPhases {

    private final long started = System.nanoTime();
    private final StringBuilder phases = new StringBuilder();
    private long last = started;

    /** Ends the phase called {@code name} now. */
    void end(String name) {
        long now = System.nanoTime();
        phases.append(phases.length() == 0 ? "" : ",").append(name).append(':').append((now - last) / 1_000_000L);
        last = now;
    }

    /** Milliseconds since construction. */
    long totalMillis() {
        return (System.nanoTime() - started) / 1_000_000L;
    }

    /** {@code options:2,log:130,...} */
    String describe() {
        return phases.toString();
    }
}
