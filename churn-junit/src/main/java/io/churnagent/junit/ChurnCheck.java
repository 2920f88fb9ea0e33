package io.churnagent.junit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * What the agent counted during one test (or, as a parameter of {@code @BeforeAll}/{@code @AfterAll},
 * one test class) so far: connections and closes per destination, requests served, clients built.
 * Thread-safe; the figures are live until the test ends. Inject it as a parameter of a test
 * registered with {@link ChurnExtension} (any of the annotations registers it), and check it with
 * {@link ChurnAssertions#assertThat(ChurnCheck)} or the {@code assert*} methods here, which fail with
 * the agent's warning text.
 */
public final class ChurnCheck {

    private final Scope scope;

    ChurnCheck(Scope scope) {
        this.scope = scope;
    }

    /** The test's (or class's) display name. */
    public String name() {
        return scope.name;
    }

    /** TCP connections opened, to every destination. */
    public long connections() {
        return connectionsTo("");
    }

    /**
     * TCP connections opened to {@code hostPort}: {@code host:port} as the code asked for it
     * ({@code localhost:8080}) or the IP connected to ({@code 127.0.0.1:8080}); empty for all.
     */
    public long connectionsTo(String hostPort) {
        return sum(hostPort, d -> d.connects);
    }

    /** Connections closed (counted once each, whichever side and API closed them). */
    public long closes() {
        return closesTo("");
    }

    /** Connections to {@code hostPort} closed (as {@link #connectionsTo(String)}). */
    public long closesTo(String hostPort) {
        return sum(hostPort, d -> d.closes);
    }

    /** The {@code counter} of every destination that {@code hostPort} matches, added up. */
    private long sum(String hostPort, Function<Scope.Destination, LongAdder> counter) {
        long n = 0;
        for (Scope.Destination d : scope.destinations.values()) {
            if (d.matches(hostPort)) {
                n += counter.apply(d).sum();
            }
        }
        return n;
    }

    /** Connections opened by destination ({@code IP:PORT}), in order of the label. */
    public Map<String, Long> connectionsByDestination() {
        Map<String, Long> result = new TreeMap<>();
        scope.destinations.forEach((label, d) -> result.put(label, d.connects.sum()));
        return Collections.unmodifiableMap(result);
    }

    /** Requests served by this JVM's request handlers, plus those declared by {@link #requestsSent(long)}. */
    public long requests() {
        return scope.requestsServed.sum() + scope.requestsDeclared.get();
    }

    /**
     * Declares {@code n} more requests that the test sent and no handler in this JVM served (a client
     * tested against a server in another process), for {@link ChurnBudget} and
     * {@link #connectionsPerRequest()}. Returns this.
     */
    public ChurnCheck requestsSent(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("requestsSent(" + n + "): a count of requests is not negative");
        }
        scope.requestsDeclared.addAndGet(n);
        return this;
    }

    /** Connections (to every destination) per request, or NaN with no request. */
    public double connectionsPerRequest() {
        return connectionsPerRequest("");
    }

    /** Connections to {@code hostPort} per request, or NaN with no request. */
    public double connectionsPerRequest(String hostPort) {
        long requests = requests();
        return requests == 0 ? Double.NaN : (double) connectionsTo(hostPort) / requests;
    }

    /** Every client built, inside handlers or not, most first. */
    public List<BuiltClient> clientsBuilt() {
        List<BuiltClient> result = new ArrayList<>();
        for (Scope.Built b : scope.built.values()) {
            result.add(new BuiltClient(b.family, b.site, b.handler,
                    b.stack == null ? List.of() : b.stack.frames(), b.count.sum()));
        }
        result.sort(Comparator.comparingLong(BuiltClient::count).reversed().thenComparing(BuiltClient::site));
        return result;
    }

    /** The clients built while a request handler ran: each is a client per request. */
    public List<BuiltClient> clientsBuiltInHandlers() {
        List<BuiltClient> result = new ArrayList<>();
        for (BuiltClient b : clientsBuilt()) {
            if (b.insideHandler()) {
                result.add(b);
            }
        }
        return result;
    }

    /** Fails (with the agent's {@code client_per_request} text) when a client was built inside a handler. */
    public void assertNoClientPerRequest() {
        String failure = ChurnFailures.clientPerRequest(scope);
        if (failure != null) {
            throw new AssertionError(failure);
        }
    }

    /** Fails when more than {@code max} connections were opened to {@code hostPort} (empty: to all together). */
    public void assertConnectionsAtMost(long max, String hostPort) {
        String failure = ChurnFailures.maxConnections(scope, max, hostPort);
        if (failure != null) {
            throw new AssertionError(failure);
        }
    }

    /** Fails when more than {@code budget} connections (to {@code hostPort}, empty: all) were opened per request. */
    public void assertConnectionsPerRequestAtMost(double budget, String hostPort) {
        String failure = ChurnFailures.budget(scope, requests(), budget, hostPort);
        if (failure != null) {
            throw new AssertionError(failure);
        }
    }

    Scope scope() {
        return scope;
    }

    @Override
    public String toString() {
        return name() + ": " + connections() + " connections (" + closes() + " closed) " + connectionsByDestination()
                + ", " + requests() + " requests, " + clientsBuiltInHandlers().size() + " client sites in handlers";
    }
}
