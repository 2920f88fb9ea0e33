package io.churnagent.churn;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Allows at most {@code perSecond} events per second with bursts of {@code burst}; lock-free and
 * allocation-free (one compare-and-set), thread-safe.
 *
 * <p>The generic cell rate algorithm: one number, the theoretical arrival time of the next event,
 * moves forward by the interval on each allowed event; an event is refused when that time is more
 * than the burst ahead of now.
 */
public final class RateLimiter {

    private final Ticker ticker;
    private final long intervalNanos;
    private final long toleranceNanos;
    private final AtomicLong nextFree;

    public RateLimiter(Ticker ticker, int perSecond, int burst) {
        if (perSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("perSecond and burst must be at least 1");
        }
        this.ticker = ticker;
        this.intervalNanos = 1_000_000_000L / perSecond;
        this.toleranceNanos = (burst - 1) * intervalNanos;
        this.nextFree = new AtomicLong(ticker.nanoTime());
    }

    /** Takes one permit if one is free now. */
    public boolean tryAcquire() {
        long now = ticker.nanoTime();
        while (true) {
            long next = nextFree.get();
            long base = next - now > 0 ? next : now;
            if (base - now > toleranceNanos) {
                return false;
            }
            if (nextFree.compareAndSet(next, base + intervalNanos)) {
                return true;
            }
        }
    }
}
