package io.churnagent;

import io.churnagent.bootstrap.ChurnBridge;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The daemon thread {@value #THREAD_NAME} that advances {@link ChurnBridge}'s coarse clock every
 * {@value #RESOLUTION_MILLIS} ms, so the bridge can time its sink calls without reading the system
 * clock on the application's threads; one per agent, started with it and stopped at detach.
 *
 * <p>A hundred wake-ups a second cost a few microseconds each; the bridge's slow-call limit is
 * hundreds of milliseconds, so this resolution is fine by a factor of fifty.
 */
final class BridgeClock implements Runnable {

    static final String THREAD_NAME = "churn-agent-clock";
    static final long RESOLUTION_MILLIS = 10;

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
