package io.churnagent.churn;

import io.churnagent.bootstrap.ConnectionSink;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Turns the bridge's raw connect/close facts into per-destination counters; thread-safe, lock-free,
 * and allocation-free for destinations it already knows.
 *
 * <p>Each connection is counted once however many layers report it: a connect is counted when its
 * (destination, local port) key enters the {@link OpenConnectionTable}, a close when it leaves, so a
 * repeated close, or the close of a socket opened before the agent was attached, counts nothing.
 */
public final class ConnectionTracker implements ConnectionSink {

    private final DestinationTable destinations;
    private final OpenConnectionTable open;
    private final Ticker ticker;
    private final AtomicLongArray unresolvedFailures = new AtomicLongArray(FailureReason.values().length);
    private final BindFailures bindFailures = new BindFailures();
    private final ConnectSiteSampler sampler;
    private final ObserverSlot observers;
    private final ResourceFailures resourceFailures;

    public ConnectionTracker(DestinationTable destinations, OpenConnectionTable open, Ticker ticker) {
        this(destinations, open, ticker, null);
    }

    /** @param sampler samples the call sites of some connects, or null for none */
    public ConnectionTracker(DestinationTable destinations, OpenConnectionTable open, Ticker ticker,
                             ConnectSiteSampler sampler) {
        this(destinations, open, ticker, sampler, ObserverSlot.none());
    }

    /** @param observers where counted connects and closes are handed to an in-process observer */
    public ConnectionTracker(DestinationTable destinations, OpenConnectionTable open, Ticker ticker,
                             ConnectSiteSampler sampler, ObserverSlot observers) {
        this.destinations = destinations;
        this.open = open;
        this.ticker = ticker;
        this.sampler = sampler;
        this.observers = observers;
        this.resourceFailures = new ResourceFailures(ticker);
    }

    @Override
    public void connected(InetAddress remote, int remotePort, int localPort, SocketAddress requested) {
        if (remote == null) {
            return;
        }
        DestinationStats d = destinations.findOrCreate(remote, remotePort, requested);
        long key = keyOf(d, remote, remotePort, localPort);
        long now = ticker.nanoTime();
        open.add(key, now);
        long before = d.recordConnect();
        if (sampler != null) {
            sampler.onConnect(d, before, key, now);
        }
        observers.connected(d);
    }

    @Override
    public void connectFailed(SocketAddress requested, Throwable error) {
        FailureReason reason = FailureReason.classify(error);
        if (reason == null) {
            return;
        }
        InetAddress address = null;
        int port = 0;
        if (requested instanceof InetSocketAddress) {
            InetSocketAddress isa = (InetSocketAddress) requested;
            address = isa.getAddress();
            port = isa.getPort();
        }
        if (address == null) {
            unresolvedFailures.getAndIncrement(reason.ordinal());
            return;
        }
        destinations.findOrCreate(address, port, requested).recordFailure(reason, ticker.nanoTime());
    }

    @Override
    public void closing(InetAddress remote, int remotePort, int localPort) {
        DestinationStats d = destinations.find(remote, remotePort);
        if (d == null) {
            if (destinations.overflowedDestinations() == 0) {
                return; // not a destination we saw connect (for example an accepted server socket)
            }
            d = destinations.overflow();
        }
        long key = keyOf(d, remote, remotePort, localPort);
        long opened = open.remove(key);
        boolean aborted = false;
        if (opened == -1L) { // not open, or marked by lingerZero: only a close that missed looks again
            opened = open.removeAborting(key);
            if (opened == -1L) {
                return;
            }
            aborted = true;
        }
        d.recordClose(ticker.nanoTime() - opened, aborted);
        observers.closed(d);
    }

    /**
     * Marks the open connection as closing abortively: its close is then counted as aborted (a reset,
     * no TIME_WAIT). Runs when {@code SO_LINGER 0} is set on a connected socket, not per close.
     */
    @Override
    public void lingerZero(InetAddress remote, int remotePort, int localPort) {
        DestinationStats d = destinations.find(remote, remotePort);
        if (d == null) {
            if (destinations.overflowedDestinations() == 0) {
                return;
            }
            d = destinations.overflow();
        }
        open.markAborting(keyOf(d, remote, remotePort, localPort));
    }

    /** Queues the failure for the reporter thread, which diagnoses it (the /proc work stays off this thread). */
    @Override
    public void bindFailed(SocketAddress requested, Throwable error, boolean reuseAddress) {
        bindFailures.record(requested, error, reuseAddress);
    }

    /** Counts "Too many open files" and "unable to create native thread"; the reporter logs them. */
    @Override
    public void resourceFailed(String where, Throwable error) {
        resourceFailures.record(where, error);
    }

    /** The failures that hit the process-wide walls (file descriptors, threads). */
    public ResourceFailures resourceFailures() {
        return resourceFailures;
    }

    /** Failed server-socket binds waiting for diagnosis. */
    public BindFailures bindFailures() {
        return bindFailures;
    }

    /** The destinations this tracker counts into. */
    public DestinationTable destinations() {
        return destinations;
    }

    /** The connections open now, with their opening times (for describing a leak, off the hot path). */
    public OpenConnectionTable openConnections() {
        return open;
    }

    /** The sampled connects kept to tell which sites' connections stay open, or null. */
    public OpenSiteSamples openSiteSamples() {
        return sampler == null ? null : sampler.openSites();
    }

    /**
     * Credits the sampled connections that closed since the last call to their call sites, as churned
     * when they lived less than the window ({@link OpenSiteSamples#settle}); for the reporter, once a tick.
     */
    public void settleSampledConnections() {
        OpenSiteSamples samples = sampler == null ? null : sampler.openSites();
        if (samples != null) {
            samples.settle(open, sampler.sites(), ticker.nanoTime());
        }
    }

    /** Connections counted but not tracked for their close because the open table was full near their key. */
    public long untrackedConnections() {
        return open.untracked();
    }

    /** Failed connects to host names that did not resolve (no IP, so no destination), by reason. */
    public long unresolvedFailures(FailureReason reason) {
        return unresolvedFailures.get(reason.ordinal());
    }

    private static long keyOf(DestinationStats d, InetAddress remote, int remotePort, int localPort) {
        return d.isOverflow()
                ? OpenConnectionTable.overflowKey(remote.hashCode(), remotePort, localPort)
                : OpenConnectionTable.key(d.index(), localPort);
    }
}
