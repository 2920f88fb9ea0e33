package io.churnagent.junit;

import io.churnagent.api.CallSite;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What happened during one test or one test class: connections and closes per destination with the
 * lines that opened them, clients built with their sites, requests served; thread-safe (concurrent
 * maps and adders, written by whichever threads the test's code runs on). Bounded: beyond the caps
 * below, events are still counted, under {@code other}, without a new site.
 */
final class Scope {

    /** Destinations kept apart per scope; the rest are counted together as {@code other}. */
    static final int MAX_DESTINATIONS = 1_000;
    /** Connect sites kept per destination, and client sites per scope. */
    static final int MAX_SITES = 50;

    final String name;
    final boolean test;
    final Scope parent;
    final long startNanos = System.nanoTime();
    private volatile long endNanos;
    private volatile boolean open = true;
    private final Set<Scope> openTests = ConcurrentHashMap.newKeySet();

    final ConcurrentHashMap<String, Destination> destinations = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, Built> built = new ConcurrentHashMap<>();
    final LongAdder requestsServed = new LongAdder();
    final AtomicLong requestsDeclared = new AtomicLong();

    Scope(String name, boolean test, Scope parent) {
        this.name = name;
        this.test = test;
        this.parent = parent;
        if (test && parent != null) {
            parent.openTests.add(this);
        }
    }

    boolean open() {
        return open;
    }

    void close() {
        endNanos = System.nanoTime();
        open = false;
        if (test && parent != null) {
            parent.openTests.remove(this);
        }
    }

    /** Seconds from the start to the end (or to now, while open). */
    double seconds() {
        long end = open ? System.nanoTime() : endNanos;
        return Math.max(1, end - startNanos) / 1e9;
    }

    /** The one test of this class running now, or null when none or several are. */
    Scope soleOpenTest() {
        return sole(openTests);
    }

    /** The one scope in {@code open}, or null when there are none or several (or it changes meanwhile). */
    static Scope sole(Set<Scope> open) {
        if (open.size() != 1) {
            return null;
        }
        for (Scope s : open) {
            return s;
        }
        return null;
    }

    void connected(io.churnagent.api.Destination d, CallSite stack) {
        Destination dest = destination(d);
        dest.connects.increment();
        if (stack != null && stack.site() != null) {
            ConnectSite site = dest.sites.get(stack.site());
            if (site == null && dest.sites.size() < MAX_SITES) {
                site = dest.sites.computeIfAbsent(stack.site(), k -> new ConnectSite(stack));
            }
            if (site != null) {
                site.count.increment();
            }
        }
    }

    void closed(io.churnagent.api.Destination d) {
        destination(d).closes.increment();
    }

    void clientBuilt(String family, String handler, CallSite stack) {
        String site = stack == null || stack.site() == null ? "(no application frame)" : stack.site();
        String key = family + '\u0000' + site + '\u0000' + (handler == null ? "" : handler);
        Built b = built.get(key);
        if (b == null) {
            if (built.size() >= MAX_SITES) {
                key = family + "\u0000(other sites)\u0000" + (handler == null ? "" : "(a handler)");
                site = "(other sites)";
            }
            String s = site;
            b = built.computeIfAbsent(key, k -> new Built(family, s, handler, stack));
        }
        b.count.increment();
    }

    private Destination destination(io.churnagent.api.Destination d) {
        String label = d.label();
        Destination dest = destinations.get(label);
        if (dest == null) {
            if (destinations.size() >= MAX_DESTINATIONS) {
                return destinations.computeIfAbsent("other", k -> new Destination("other", "other", 0));
            }
            dest = destinations.computeIfAbsent(label, k -> new Destination(label, d.host(), d.port()));
        }
        return dest;
    }

    /** One destination's counts in this scope. */
    static final class Destination {
        final String label;
        final String host;
        final int port;
        final LongAdder connects = new LongAdder();
        final LongAdder closes = new LongAdder();
        final ConcurrentHashMap<String, ConnectSite> sites = new ConcurrentHashMap<>();

        Destination(String label, String host, int port) {
            this.label = label;
            this.host = host;
            this.port = port;
        }

        /** Whether {@code hostPort} names this destination, by the IP connected to or by the name asked for. */
        boolean matches(String hostPort) {
            return hostPort.isEmpty() || hostPort.equals(label) || hostPort.equals(host + ":" + port)
                    || hostPort.equals("[" + host + "]:" + port);
        }
    }

    /** One line that opened connections, with its first stack. */
    static final class ConnectSite {
        final CallSite stack;
        final LongAdder count = new LongAdder();

        ConnectSite(CallSite stack) {
            this.stack = stack;
        }
    }

    /** One place that built clients of one family, inside one handler or outside any. */
    static final class Built {
        final String family;
        final String site;
        final String handler;
        final CallSite stack;
        final LongAdder count = new LongAdder();

        Built(String family, String site, String handler, CallSite stack) {
            this.family = family;
            this.site = site;
            this.handler = handler;
            this.stack = stack;
        }
    }
}
