package io.churnagent.churn;

/**
 * What the model says about one destination at one moment; an immutable value, safe to hand to any
 * thread. Rates are per second over the last {@link ModelSettings#RATE_WINDOW_NANOS}.
 */
public final class DestinationFigures {

    /** {@link #exhaustionInSeconds()} when the current rates never exhaust the range. */
    public static final double NEVER = -1;

    final DestinationStats destination;
    final long connects;
    final long closes;
    final long failures;
    final long addrNotAvailFailures;
    final long open;
    final double connectsPerSecond;
    final double closesPerSecond;
    final long closesLast60s;
    final double openGrowthPerSecond;
    final long projectedTimeWait;
    final long projectedLoad;
    final int capacity;
    final PortLimit limit;
    final int localCapacity;
    final long hostShare;
    final double ratio;
    final WarningLevel level;
    final double exhaustionInSeconds;
    final double lifetimeAvgMillis;
    final double shortLivedShare;
    final double coveredSeconds;
    final boolean leaking;
    final Aborts aborts;

    /** The aborted closes ({@code SO_LINGER 0}) of a destination: counted apart, no TIME_WAIT; immutable. */
    static final class Aborts {
        static final Aborts NONE = new Aborts(0, 0, 0);
        final long total;
        final double perSecond;
        final long last60s;

        Aborts(long total, double perSecond, long last60s) {
            this.total = total;
            this.perSecond = perSecond;
            this.last60s = last60s;
        }
    }

    DestinationFigures(DestinationStats destination, long connects, long closes, long open,
                       double connectsPerSecond, double closesPerSecond, long closesLast60s,
                       double openGrowthPerSecond, long projectedTimeWait, long projectedLoad, PortLimit limit,
                       long hostShare, ModelSettings settings, double exhaustionInSeconds, double coveredSeconds,
                       boolean leaking, Aborts aborts) {
        this.leaking = leaking;
        this.aborts = aborts;
        this.destination = destination;
        this.connects = connects;
        this.closes = closes;
        this.failures = destination.failuresTotal();
        this.addrNotAvailFailures = destination.failures(FailureReason.ADDR_NOT_AVAIL);
        this.open = open;
        this.connectsPerSecond = connectsPerSecond;
        this.closesPerSecond = closesPerSecond;
        this.closesLast60s = closesLast60s;
        this.openGrowthPerSecond = openGrowthPerSecond;
        this.projectedTimeWait = projectedTimeWait;
        this.projectedLoad = projectedLoad;
        this.capacity = limit.ports();
        this.limit = limit;
        this.localCapacity = settings.capacity;
        this.hostShare = hostShare;
        this.ratio = (double) projectedLoad / capacity;
        this.level = settings.levelFor(ratio);
        this.exhaustionInSeconds = exhaustionInSeconds;
        long measured = destination.lifetimesMeasured();
        this.lifetimeAvgMillis = measured == 0 ? 0 : destination.lifetimeNanosTotal() / 1e6 / measured;
        this.shortLivedShare = measured == 0 ? 0 : (double) destination.shortLived() / measured;
        this.coveredSeconds = coveredSeconds;
    }

    /** The destination these figures describe (its label, host and failure counters). */
    public DestinationStats destination() {
        return destination;
    }

    public long connects() {
        return connects;
    }

    public long closes() {
        return closes;
    }

    /** Failed connects, all reasons. */
    public long failures() {
        return failures;
    }

    /** Failed connects with "Cannot assign requested address" (the ports ran out). */
    public long addrNotAvailFailures() {
        return addrNotAvailFailures;
    }

    public long open() {
        return open;
    }

    public double connectsPerSecond() {
        return connectsPerSecond;
    }

    public double closesPerSecond() {
        return closesPerSecond;
    }

    /** Closes in the last 60 s, aborted ones included. */
    public long closesLast60s() {
        return closesLast60s;
    }

    /**
     * Closes in the last 60 s that leave a TIME_WAIT (all but the aborted ones): the ports in TIME_WAIT
     * now, if this side closed first and nothing reuses them.
     */
    public long timeWaitClosesLast60s() {
        return closesLast60s - aborts.last60s;
    }

    /**
     * Closes so far that were aborted ({@code SO_LINGER 0} set before the close): the connection ends
     * with a reset and leaves no TIME_WAIT on either side, so they are not in {@link #projectedTimeWait()}
     * for this host's ports. They still cost a handshake per connection, a NAT mapping per connection
     * (an egress limit keeps them), and a reset in the peer's logs.
     */
    public long abortedCloses() {
        return aborts.total;
    }

    /** Aborted closes per second (part of {@link #closesPerSecond()}). */
    public double abortedPerSecond() {
        return aborts.perSecond;
    }

    /** Aborted closes in the last 60 s (part of {@link #closesLast60s()}). */
    public long abortedLast60s() {
        return aborts.last60s;
    }

    /** Whether most of the recent closes (at least {@value #ABORTED_MOSTLY_PCT} %) were aborted. */
    public boolean mostlyAborted() {
        return aborts.last60s > 0 && aborts.last60s * 100 >= closesLast60s * ABORTED_MOSTLY_PCT;
    }

    /** {@link #mostlyAborted()}'s share of the closes of the last 60 s, in percent. */
    public static final int ABORTED_MOSTLY_PCT = 80;

    /** How fast the open connections grow (never negative); a client dropped without close() shows here. */
    public double openGrowthPerSecond() {
        return openGrowthPerSecond;
    }

    /**
     * Recent close rate × the binding limit's hold time (60 s on this host): the TIME_WAIT this
     * destination settles at; on this host's range without the aborted closes, which leave none.
     */
    public long projectedTimeWait() {
        return projectedTimeWait;
    }

    /**
     * Ports this destination is projected to hold on the binding limit: TIME_WAIT, open connections and
     * their growth over the hold time, plus {@link #hostShare()}.
     */
    public long projectedLoad() {
        return projectedLoad;
    }

    /** Of {@link #projectedLoad()}, what this JVM holds itself. */
    public long ownLoad() {
        return projectedLoad - hostShare;
    }

    /** Ports other processes of this host hold towards the destination (kernel table, last read); 0 if none or unknown. */
    public long hostShare() {
        return hostShare;
    }

    /** The binding limit's ports per destination. */
    public int capacity() {
        return capacity;
    }

    /** This host's ports per destination, whichever limit binds (EADDRNOTAVAIL is about these). */
    public int localCapacity() {
        return localCapacity;
    }

    /** The port limit that binds first for this destination: this host's range or the egress hop. */
    public PortLimit limit() {
        return limit;
    }

    /** {@link #projectedLoad()} / {@link #capacity()}. */
    public double ratio() {
        return ratio;
    }

    /**
     * What the thresholds make of {@link #ratio()}: NONE below {@code warn.ratio}, WARN, or CRITICAL
     * at {@code critical.ratio}. This is the model's level; the level every output shows is the
     * {@link DestinationVerdict}'s, which may lower it when the kernel shows that the peer closes first.
     */
    public WarningLevel level() {
        return level;
    }

    /** Seconds until the range is exhausted at current rates, 0 if it is now, {@link #NEVER} if it is not reached. */
    public double exhaustionInSeconds() {
        return exhaustionInSeconds;
    }

    public double lifetimeAvgMillis() {
        return lifetimeAvgMillis;
    }

    /** Share (0..1) of the measured closed connections that lived less than a second. */
    public double shortLivedShare() {
        return shortLivedShare;
    }

    /**
     * Whether the open connections leak ({@link ConnectionLeak}): then {@link #openGrowthPerSecond()} is
     * the leak's sustained rate, kept while its connections stay open.
     */
    public boolean leaking() {
        return leaking;
    }

    /** How much history these rates rest on, in seconds (at most the rate window). */
    public double coveredSeconds() {
        return coveredSeconds;
    }
}
