package io.churnagent.churn;

/**
 * One hop whose source ports a destination's connections use up: this host's ephemeral range, or a
 * NAT beyond it ({@code egress=}); an immutable value. Each hop has its own number of ports per
 * destination and its own hold time after a close; the model projects the load on every hop and
 * reports the one with the highest ratio (DESIGN.md §2).
 */
public final class PortLimit {

    private final String name;
    private final int ports;
    private final long timeWaitNanos;
    private final String because;

    /**
     * @param name          {@code local} for this host's range, else the egress preset's name
     * @param ports         ports per destination, at least 1
     * @param timeWaitNanos how long a closed connection's port stays taken, 1 s to 300 s
     * @param because       one sentence on where the figures come from
     */
    public PortLimit(String name, int ports, long timeWaitNanos, String because) {
        if (ports < 1 || timeWaitNanos < 1_000_000_000L || timeWaitNanos > 300_000_000_000L) {
            throw new IllegalArgumentException("invalid port limit " + name + ": " + ports + " ports, " + timeWaitNanos + " ns");
        }
        this.name = name;
        this.ports = ports;
        this.timeWaitNanos = timeWaitNanos;
        this.because = because;
    }

    /** This host's ephemeral range: {@code capacity} ports, Linux's 60 s TIME_WAIT. */
    public static PortLimit local(int capacity) {
        return new PortLimit(LOCAL, capacity, ModelSettings.TIME_WAIT_NANOS,
                "this host's ephemeral port range and Linux's 60 s TIME_WAIT");
    }

    static final String LOCAL = "local";

    public String name() {
        return name;
    }

    /** True for this host's own range, where the kernel's table shows the TIME_WAIT. */
    public boolean isLocal() {
        return LOCAL.equals(name);
    }

    public int ports() {
        return ports;
    }

    public long timeWaitNanos() {
        return timeWaitNanos;
    }

    /** Whole seconds of {@link #timeWaitNanos()}. */
    public int timeWaitSeconds() {
        return (int) (timeWaitNanos / 1_000_000_000L);
    }

    public String because() {
        return because;
    }

    @Override
    public String toString() {
        return name + "(" + ports + " ports, " + timeWaitSeconds() + " s)";
    }
}
