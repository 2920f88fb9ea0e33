package io.churnagent.churn;

/**
 * Samples the call sites of connects that no client hook explains (raw {@code Socket},
 * {@code HttpURLConnection}, a driver's socket): the first {@value #FIRST_SAMPLED} connects to each destination, then every
 * {@value #SAMPLE_EVERY}th (every {@value #SAMPLE_EVERY_UNKNOWN}th while the destination has no
 * site yet), and never more than the rate limiter allows; thread-safe.
 *
 * <p>On the connect path the decision is a mask test on a count the tracker already has, plus one
 * array read, so connects that are not sampled pay no stack walk and no allocation.
 */
public final class ConnectSiteSampler {

    /** Every destination's first connects are all sampled, so a one-off (a server's self-check) does not stand for it. */
    static final long FIRST_SAMPLED = 8;
    static final long SAMPLE_EVERY = 1024;
    static final long SAMPLE_EVERY_UNKNOWN = 64;
    /** The site is the first application frame; under a servlet container and a client library it can be 150 deep. */
    static final int MAX_DEPTH = 256;

    private final DestinationSites sites;
    private final StackSource stacks;
    private final RateLimiter captures;
    private final java.util.function.Supplier<Object> inheritedOrigin;
    private volatile OpenSiteSamples openSites;

    /**
     * @param inheritedOrigin the call site (a {@link TrimmedStack}) of the client whose thread is
     *                        connecting, when the stack itself has no application frame; may return null
     */
    public ConnectSiteSampler(DestinationSites sites, StackSource stacks, RateLimiter captures,
                              java.util.function.Supplier<Object> inheritedOrigin) {
        this.sites = sites;
        this.stacks = stacks;
        this.captures = captures;
        this.inheritedOrigin = inheritedOrigin;
    }

    /** Also keeps each sampled connect's key in {@code samples}, to tell which sites' connections stay open. */
    public ConnectSiteSampler keepingOpenSites(OpenSiteSamples samples) {
        this.openSites = samples;
        return this;
    }

    /** The samples {@link #keepingOpenSites} set, or null. */
    public OpenSiteSamples openSites() {
        return openSites;
    }

    /** Called by the tracker for each connect to {@code d}, with the connects counted before it. */
    public void onConnect(DestinationStats d, long connectsBefore) {
        onConnect(d, connectsBefore, 0L, -1L);
    }

    /** {@link #onConnect(DestinationStats, long)}, with the connection's open-table key and opening time. */
    public void onConnect(DestinationStats d, long connectsBefore, long key, long openedAt) {
        if (!due(connectsBefore, d) || d.isOverflow() || !captures.tryAcquire()) {
            return;
        }
        TrimmedStack stack = stacks.trimmed(MAX_DEPTH);
        if (stack.site() == null) {
            // No application frame: the connect ran on a client's own I/O thread, which inherited
            // where its client was built. Without that, a later sample may catch the caller's thread.
            Object origin = inheritedOrigin.get();
            if (!(origin instanceof TrimmedStack)) {
                return;
            }
            stack = (TrimmedStack) origin;
        }
        sites.record(d, stack);
        OpenSiteSamples open = openSites;
        if (open != null && openedAt != -1L) {
            open.record(key, openedAt, stack);
        }
    }

    static boolean due(long connectsBefore, boolean siteKnown) {
        return dueWhateverTheSite(connectsBefore) || (!siteKnown && dueWithoutASite(connectsBefore));
    }

    /**
     * {@link #due(long, boolean)}, reading whether {@code d} has a site only for the one connect in
     * {@value #SAMPLE_EVERY_UNKNOWN} where that decides: on a connect path that just left the kernel
     * the read is a cache miss (it showed in profiles of the loopback benchmark).
     */
    private boolean due(long connectsBefore, DestinationStats d) {
        return dueWhateverTheSite(connectsBefore) || (dueWithoutASite(connectsBefore) && !sites.known(d));
    }

    private static boolean dueWhateverTheSite(long connectsBefore) {
        return connectsBefore < FIRST_SAMPLED || (connectsBefore & (SAMPLE_EVERY - 1)) == 0;
    }

    private static boolean dueWithoutASite(long connectsBefore) {
        return (connectsBefore & (SAMPLE_EVERY_UNKNOWN - 1)) == 0;
    }

    /** The per-destination sites this sampler fills. */
    public DestinationSites sites() {
        return sites;
    }
}
