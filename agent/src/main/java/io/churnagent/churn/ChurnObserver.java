package io.churnagent.churn;

/**
 * Sees every counted connect and close and every client construction as it happens, on the thread
 * that makes it: for code in the same JVM that attributes them to its own units of work (the JUnit
 * extension attributes them to the running test). Implementations must be thread-safe and quick;
 * what they throw is dropped.
 *
 * <p>The model's side of {@code io.churnagent.api.ChurnObserver}: {@code InProcessAgent.observe}
 * installs an adapter that hands these on as the API's values. With no observer installed the agent
 * pays one volatile read per connect and close for this.
 */
public interface ChurnObserver {

    /**
     * A connection to {@code destination} was counted.
     *
     * @param site the connect's trimmed stack; when no application frame was on it, the stack that
     *             built the client owning the thread (a JDK {@code HttpClient}'s selector), else a
     *             stack without a site
     */
    void connected(DestinationStats destination, TrimmedStack site);

    /** A connection to {@code destination} was counted as closed. */
    void closed(DestinationStats destination);

    /**
     * A client of {@code family} was built (a pool reused is not a new client).
     *
     * @param handler the request handler it was built in ({@code Class.method(File.java:LINE)}), or
     *                null when built outside one
     */
    void clientBuilt(String family, String handler, TrimmedStack stack);

    /** A request handler started on this thread (the outermost one: one call per request). */
    void requestStarted();
}
