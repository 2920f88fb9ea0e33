package io.churnagent.junit;

/**
 * Fluent checks of a {@link ChurnCheck}: {@code assertThat(churn).connectionsTo("localhost:8080").isAtMost(5)},
 * {@code assertThat(churn).hasNoClientPerRequest()}, {@code assertThat(churn).connectionsPerRequest().isAtMost(0.1)}.
 * Failures carry the agent's warning text (site, stack, fix).
 */
public final class ChurnAssertions {

    private ChurnAssertions() {
    }

    /** Starts a check of {@code churn}. */
    public static ChurnAssert assertThat(ChurnCheck churn) {
        if (churn == null) {
            throw new IllegalArgumentException("assertThat(null): inject a ChurnCheck parameter into the test");
        }
        return new ChurnAssert(churn);
    }

    /** Checks of one test's churn. */
    public static final class ChurnAssert {
        private final ChurnCheck churn;

        ChurnAssert(ChurnCheck churn) {
            this.churn = churn;
        }

        /** Fails when a client was built inside a request handler. */
        public ChurnAssert hasNoClientPerRequest() {
            churn.assertNoClientPerRequest();
            return this;
        }

        /** The connections to {@code hostPort} ({@code host:port}; empty: all destinations). */
        public Connections connectionsTo(String hostPort) {
            return new Connections(this, hostPort);
        }

        /** The connections to every destination together. */
        public Connections connections() {
            return new Connections(this, "");
        }

        /** The connections per request (to every destination). */
        public PerRequest connectionsPerRequest() {
            return new PerRequest(this, "");
        }

        /** The connections to {@code hostPort} per request. */
        public PerRequest connectionsPerRequestTo(String hostPort) {
            return new PerRequest(this, hostPort);
        }
    }

    /** What a count is checked for: the checks it returns to and the destination ({@code host:port}; empty: all). */
    abstract static class OfDestination {
        final ChurnAssert owner;
        final String hostPort;

        OfDestination(ChurnAssert owner, String hostPort) {
            this.owner = owner;
            this.hostPort = hostPort;
        }
    }

    /** A count of connections to check. */
    public static final class Connections extends OfDestination {
        Connections(ChurnAssert owner, String hostPort) {
            super(owner, hostPort);
        }

        /** Fails when more than {@code max} were opened. */
        public ChurnAssert isAtMost(long max) {
            owner.churn.assertConnectionsAtMost(max, hostPort);
            return owner;
        }

        /** Fails when any was opened. */
        public ChurnAssert isZero() {
            return isAtMost(0);
        }
    }

    /** Connections per request to check. */
    public static final class PerRequest extends OfDestination {
        PerRequest(ChurnAssert owner, String hostPort) {
            super(owner, hostPort);
        }

        /** Fails when more than {@code budget} were opened per request, or when there was no request. */
        public ChurnAssert isAtMost(double budget) {
            owner.churn.assertConnectionsPerRequestAtMost(budget, hostPort);
            return owner;
        }
    }
}
