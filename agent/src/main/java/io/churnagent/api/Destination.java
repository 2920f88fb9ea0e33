package io.churnagent.api;

import java.util.Objects;

/**
 * A destination as the agent counts it: {@code host:port} of the address connected to, or the one
 * bucket of destinations beyond the agent's table ({@link #isOther}); immutable.
 */
public final class Destination {

    private final String label;
    private final String host;
    private final int port;
    private final boolean other;

    public Destination(String label, String host, int port, boolean other) {
        this.label = label;
        this.host = host;
        this.port = port;
        this.other = other;
    }

    /** How the agent names it in its warnings: {@code host:port}, {@code [v6]:port} or the name asked for. */
    public String label() {
        return label;
    }

    /** The IP address connected to, as text. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Whether this is the bucket of destinations the agent's table had no room for. */
    public boolean isOther() {
        return other;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Destination)) {
            return false;
        }
        Destination d = (Destination) o;
        return port == d.port && other == d.other && label.equals(d.label) && Objects.equals(host, d.host);
    }

    @Override
    public int hashCode() {
        return label.hashCode() * 31 + port;
    }

    @Override
    public String toString() {
        return label;
    }
}
