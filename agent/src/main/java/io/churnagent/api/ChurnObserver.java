package io.churnagent.api;

/**
 * Sees every counted connect and close and every client construction as it happens, on the thread
 * that makes it: for code in the same JVM that attributes them to its own units of work (the JUnit
 * extension attributes them to the running test). Implementations must be thread-safe and quick;
 * what they throw is dropped. Installed through {@code InProcessAgent.observe}.
 */
public interface ChurnObserver {

    /**
     * A connection to {@code destination} was counted.
     *
     * @param site where it was opened; when no application frame was on the stack, where the client
     *             owning the thread was built (a JDK {@code HttpClient}'s selector), else a site whose
     *             {@link CallSite#site} is null
     */
    void connected(Destination destination, CallSite site);

    /** A connection to {@code destination} was counted as closed. */
    void closed(Destination destination);

    /**
     * A client of {@code family} was built (a pool reused is not a new client).
     *
     * @param handler the request handler it was built in ({@code Class.method(File.java:LINE)}), or
     *                null when built outside one
     * @param site    where it was built, or null when its stack was not captured
     */
    void clientBuilt(String family, String handler, CallSite site);

    /** A request handler started on this thread (the outermost one: one call per request). */
    void requestStarted();
}
