package io.churnagent.junit;

import java.util.List;

/**
 * Clients of one family built at one place during a test, inside one request handler or outside
 * any; immutable.
 */
public final class BuiltClient {

    private final String family;
    private final String site;
    private final String handler;
    private final List<String> stack;
    private final long count;

    BuiltClient(String family, String site, String handler, List<String> stack, long count) {
        this.family = family;
        this.site = site;
        this.handler = handler;
        this.stack = List.copyOf(stack);
        this.count = count;
    }

    /** The agent's name of the family: {@code jdk-httpclient}, {@code okhttp}, {@code grpc}, {@code jdbc}... */
    public String family() {
        return family;
    }

    /** {@code Class.method(File.java:LINE)}: the first application frame that built them. */
    public String site() {
        return site;
    }

    /** The handler frame they were built under, or null when built outside a request handler. */
    public String handler() {
        return handler;
    }

    /** Whether they were built while a request handler ran: a client per request. */
    public boolean insideHandler() {
        return handler != null;
    }

    /** The first one's stack, trimmed to the application's frames, site first. */
    public List<String> stack() {
        return stack;
    }

    /** How many were built there during the test. */
    public long count() {
        return count;
    }

    @Override
    public String toString() {
        return count + " x " + family + " at " + site + (handler == null ? "" : " in handler " + handler);
    }
}
