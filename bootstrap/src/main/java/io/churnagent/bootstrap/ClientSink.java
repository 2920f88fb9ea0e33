package io.churnagent.bootstrap;

/**
 * Receives client constructions from {@link ClientBridge}; implementations must be thread-safe and
 * must not block (they run on the application thread that builds the client).
 *
 * <p>Lives in the boot class loader next to the bridge, so it may only mention {@code java.base}
 * types and the bootstrap package.
 */
public interface ClientSink {

    /**
     * A client (or connection pool, or database connection) of {@code family} was just built on the
     * current thread; the call is made while the building method is still on the stack, so the sink
     * can capture the call site.
     *
     * @param handler  the request handler the thread is serving (innermost), or null outside handlers
     * @param resource the connection pool the new client uses when the hook can see it (a client that
     *                 reuses a pool seen before is not a new client), or null
     * @param origin   where to record the call site for the threads the client starts
     */
    void clientBuilt(String family, HandlerFrame handler, Object resource, ClientOrigin origin);

    /**
     * The outermost request handler started on the current thread: one call per request. Must be
     * cheap (it runs for every request); does nothing unless overridden.
     */
    default void requestStarted() {
    }
}
