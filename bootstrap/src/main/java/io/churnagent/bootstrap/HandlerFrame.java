package io.churnagent.bootstrap;

/**
 * One request-handler invocation on a thread: which handler (class and method) and the one it is
 * nested in; immutable, so it can be handed to the agent and read from any thread.
 *
 * <p>Handler entry points nest (a Spring {@code DispatcherServlet} runs inside
 * {@code HttpServlet.service}, the JDK server runs its own chain around the user's handler, a
 * user-listed method runs inside a servlet). The bridge keeps the innermost one current because it
 * is the most specific; {@link #outer()} leads to the others.
 */
public final class HandlerFrame {

    private final String type;
    private final String method;
    private final HandlerFrame outer;
    final int clientDepthAtEntry;
    final ClientOrigin originAtEntry;

    HandlerFrame(String type, String method, HandlerFrame outer, int clientDepthAtEntry, ClientOrigin originAtEntry) {
        this.type = type;
        this.method = method;
        this.outer = outer;
        this.clientDepthAtEntry = clientDepthAtEntry;
        this.originAtEntry = originAtEntry;
    }

    /** The handler's class name (the runtime class where the advice can see it). */
    public String type() {
        return type;
    }

    /** The handler's method name, e.g. {@code service} or {@code handle}. */
    public String method() {
        return method;
    }

    /** The handler this one runs inside, or null. */
    public HandlerFrame outer() {
        return outer;
    }

    /** {@code type.method}. */
    public String label() {
        return type + "." + method;
    }

    @Override
    public String toString() {
        return label();
    }
}
