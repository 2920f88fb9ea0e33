package io.churnagent;

/**
 * Where the agent's start-up time goes, phase by phase, for the {@code phases_ms=} field of
 * {@code event=agent_started}, and how long the application waited for it; used by one thread at a
 * time (the starting one, which may hand it to a background starter).
 */
final class StartupPhases {

    private final long started = System.nanoTime();
    private final StringBuilder phases = new StringBuilder();
    private long last = started;
    private long handedOver = -1;

    /** Ends the phase called {@code name} now. */
    void end(String name) {
        long now = System.nanoTime();
        phases.append(phases.length() == 0 ? "" : ",").append(name).append(':').append((now - last) / 1_000_000L);
        last = now;
    }

    /** The application goes on from here while the rest of the start-up runs on another thread. */
    void handOver() {
        handedOver = System.nanoTime();
    }

    /** Milliseconds the thread that started the agent (premain's: the application's main) was held. */
    long heldMillis() {
        return ((handedOver >= 0 ? handedOver : System.nanoTime()) - started) / 1_000_000L;
    }

    /** Whether the rest of the start-up ran in the background. */
    boolean inBackground() {
        return handedOver >= 0;
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
