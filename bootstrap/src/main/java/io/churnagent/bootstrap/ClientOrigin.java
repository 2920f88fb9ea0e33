package io.churnagent.bootstrap;

/**
 * Where a client was built, handed down to the threads it starts; thread-safe (one volatile field,
 * written once by the sink).
 *
 * <p>Clients such as the JDK {@code HttpClient} connect on their own selector and worker threads,
 * whose stacks hold no application frame. Those threads are created while the client is built or
 * while the request that built it runs, so they inherit the origin from the thread that made them
 * (an {@link InheritableThreadLocal} in {@link ClientBridge}), and a connect on them can still be
 * attributed to the line that built the client.
 */
public final class ClientOrigin {

    private volatile Object site;

    ClientOrigin() {
    }

    /** The agent's description of the building call site, or null until (or unless) it was captured. */
    public Object site() {
        return site;
    }

    /** Set by the sink once the call site is known. */
    public void site(Object description) {
        this.site = description;
    }
}
