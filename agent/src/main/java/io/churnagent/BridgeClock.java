package io.churnagent;

import io.churnagent.bootstrap.ChurnBridge;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The daemon thread {@value #THREAD_NAME} that advances {@link ChurnBridge}'s coarse clock every
 * {@value #RESOLUTION_MILLIS} ms, so the bridge can time its sink calls without reading the system
 * clock on the application's threads; one per agent, started with it and stopped at detach.
 *
 * <p>Twenty wake-ups a second cost a few microseconds each; the bridge's slow-call limit is
 * {@value ChurnBridge#DEFAULT_SLOW_CALL_MILLIS} ms, so this resolution is fine by a factor of ten. At
 * 10 ms (a hundred wake-ups a second) this thread was 0.35 % of a keep-alive HTTP benchmark's CPU
 * samples, more than the agent's work on the requests themselves (async-profiler).
 */
final class BridgeClock implements Runnable {

    static final String THREAD_NAME = "churn-agent-clock";
    static final long RESOLUTION_MILLIS = 50;

    private final Thread thread;
    private volatile boolean stopped;

    private BridgeClock() {
        thread = new Thread(this, THREAD_NAME);
        thread.setDaemon(true);
    }

    /** Starts a clock thread (and moves the clock once, so the first calls are timed from now). */
    static BridgeClock start() {
        ChurnBridge.advanceClock(System.nanoTime());
        BridgeClock clock = new BridgeClock();
        clock.thread.start();
        return clock;
    }

    @Override
    public void run() {
        long period = TimeUnit.MILLISECONDS.toNanos(RESOLUTION_MILLIS);
        while (!stopped) {
            ChurnBridge.advanceClock(System.nanoTime());
            LockSupport.parkNanos(this, period);
        }
    }

    /** Stops the thread; the bridge's clock stands still, which turns its slow-call guard off. */
    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }
}
