package io.churnagent.churn;

/**
 * Connects to one destination failed with "Cannot assign requested address": the ports really ran
 * out. Immutable; produced by {@link ChurnMonitor#takeExhaustions()}.
 */
public final class PortExhaustion {

    private final DestinationFigures figures;
    private final long newFailures;
    private final long firstFailureAgoNanos;
    private final long firstWarningAgoNanos;

    PortExhaustion(DestinationFigures figures, long newFailures, long firstFailureAgoNanos, long firstWarningAgoNanos) {
        this.figures = figures;
        this.newFailures = newFailures;
        this.firstFailureAgoNanos = firstFailureAgoNanos;
        this.firstWarningAgoNanos = firstWarningAgoNanos;
    }

    public DestinationFigures figures() {
        return figures;
    }

    /** Failures since the previous report of this destination's exhaustion. */
    public long newFailures() {
        return newFailures;
    }

    /** How long ago the very first such failure happened. */
    public long firstFailureAgoNanos() {
        return firstFailureAgoNanos;
    }

    /** How long ago the first churn warning for this destination was logged, or -1 if none was. */
    public long firstWarningAgoNanos() {
        return firstWarningAgoNanos;
    }

    /** Whether a churn warning for this destination came before its first failure. */
    public boolean warnedBeforeFailure() {
        return firstWarningAgoNanos > firstFailureAgoNanos;
    }
}
