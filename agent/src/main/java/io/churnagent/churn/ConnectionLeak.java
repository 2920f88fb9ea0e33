package io.churnagent.churn;

/**
 * One destination's open connections leak: they keep growing and are not closed (a client dropped
 * without {@code close()}, such as a JDK 17 {@code HttpClient} built per request, whose connections
 * stay open until a GC collects it). Immutable; produced by {@link ChurnMonitor#takeLeaks()}.
 *
 * <p>Told apart from a pool warming up and from many steady connections by duration: the open count
 * must have grown by at least {@value #MIN_GROWTH_PER_SECOND}/s over the whole rate window (at least
 * {@link ModelSettings#GROWTH_MIN_COVERAGE_NANOS}) and over its last 2 s, with at least
 * {@value #MIN_OPEN} open. A pool warms up in a burst and stops; a steady pool does not grow.
 */
public final class ConnectionLeak {

    /** The least growth of open connections, per second, that counts as a leak. */
    public static final double MIN_GROWTH_PER_SECOND = 1.0;
    /** A destination with fewer open connections than this does not leak (yet) in any way that matters. */
    public static final long MIN_OPEN = 50;
    /** How long the growth must have lasted (the rate window it is measured over must cover this much). */
    public static final long MIN_DURATION_NANOS = 9_000_000_000L;
    /** A leak without further growth for this long is forgotten (its projection stops counting the rate). */
    public static final long FORGET_NANOS = 60_000_000_000L;

    private final DestinationFigures figures;
    private final long leakingForNanos;

    ConnectionLeak(DestinationFigures figures, long leakingForNanos) {
        this.figures = figures;
        this.leakingForNanos = leakingForNanos;
    }

    /** The destination's figures at the tick that found it: open, the leak's rate as {@code openGrowthPerSecond}. */
    public DestinationFigures figures() {
        return figures;
    }

    /** How long the open connections have been growing, in nanoseconds (the rate window that found it included). */
    public long leakingForNanos() {
        return leakingForNanos;
    }
}
