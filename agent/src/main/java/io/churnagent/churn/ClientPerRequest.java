package io.churnagent.churn;

/**
 * A decision to warn that one call site builds clients inside request handlers again and again:
 * the site and how often; immutable.
 */
public final class ClientPerRequest {

    private final ClientSite site;
    private final long builtLastMinute;
    private final long builtTotal;
    private final int threshold;

    public ClientPerRequest(ClientSite site, long builtLastMinute, long builtTotal, int threshold) {
        this.site = site;
        this.builtLastMinute = builtLastMinute;
        this.builtTotal = builtTotal;
        this.threshold = threshold;
    }

    public ClientSite site() {
        return site;
    }

    /** Clients built at this site inside handlers in the last 60 s (a lower bound when capture was rate-limited). */
    public long builtLastMinute() {
        return builtLastMinute;
    }

    /** Clients built at this site inside handlers since the agent started. */
    public long builtTotal() {
        return builtTotal;
    }

    /** The {@code client.per.request.threshold} that was exceeded. */
    public int threshold() {
        return threshold;
    }
}
