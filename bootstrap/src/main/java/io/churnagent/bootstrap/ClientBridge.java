package io.churnagent.bootstrap;

/**
 * The static entry points of the advice on client constructors/builders and on request handlers;
 * thread-safe (per-thread state in a {@link ThreadLocal}, so virtual threads work too), a no-op until
 * a {@link ClientSink} is installed, and it never throws into the application.
 *
 * <p>Handler context: {@link #handlerEnter} pushes a {@link HandlerFrame} and returns it as a token,
 * {@link #handlerExit} pops it. The innermost handler is current.
 *
 * <p>Client construction: constructors chain ({@code this(...)}, {@code super(...)}) and builders
 * create pools, so {@link #constructionEnter} counts the depth and only the outermost construction
 * reaches the sink. Constructor advice cannot see a constructor that throws, which would leave the
 * depth raised; handler exit restores the depth the handler started with, so such a leak lasts one
 * request at most.
 *
 * <p>Pools: a construction may name the pool its client uses; a nested one's pool (a Reactor Netty
 * connection provider made inside a WebClient's build) is reported with the outermost construction
 * when that names none, so that a client built per request over a shared pool is known as such.
 *
 * <p>Client origin: the outermost construction also starts a {@link ClientOrigin} in an
 * {@link InheritableThreadLocal}; it stays current until the enclosing handler returns, so threads
 * the client starts (at construction or during the request) inherit it.
 */
public final class ClientBridge {

    /** After this many exceptions from the sink it is uninstalled. */
    public static final int MAX_FAULTS = 100;

    /**
     * The family of a library's internal construction (a pool filling up, a transport connecting):
     * it raises the depth like any other, so the clients built inside it are not reported, and is
     * not reported itself.
     */
    public static final String INTERNAL = "internal";

    /** The pool of a Reactor Netty client made with {@code HttpClient.create()}: the global one ({@code HttpResources}). */
    public static final Object REACTOR_GLOBAL_POOL = new Object();

    /**
     * The pool a Reactor Netty {@code HttpConnectionProvider} stands for, given its
     * {@code http1ConnectionProvider}: the global pool for null, none for
     * {@code ConnectionProvider.newConnection()} (one shared object that pools nothing: a new
     * connection per request), else the provider itself.
     */
    public static Object reactorPool(Object http1Provider) {
        if (http1Provider == null) {
            return REACTOR_GLOBAL_POOL;
        }
        return http1Provider.getClass().getName().endsWith(".NewConnectionProvider") ? null : http1Provider;
    }

    /** {@link #constructionEnter} results. */
    public static final int NOT_COUNTED = 0;
    public static final int OUTERMOST = 1;
    public static final int NESTED = 2;

    private static final ThreadLocal<RequestState> STATE = new ThreadLocal<>();
    private static final InheritableThreadLocal<ClientOrigin> ORIGIN = new InheritableThreadLocal<>();
    private static volatile ClientSink sink;
    private static volatile int faults;
    private static volatile Throwable lastFault;

    private ClientBridge() {
    }

    /** Installs {@code newSink} and resets the fault count. */
    public static void install(ClientSink newSink) {
        faults = 0;
        lastFault = null;
        sink = newSink;
    }

    /** Removes the sink: every later call is a no-op. */
    public static void uninstall() {
        sink = null;
    }

    /** Whether a sink is installed. */
    public static boolean installed() {
        return sink != null;
    }

    /** How many exceptions the current sink has thrown so far. */
    public static int faults() {
        return faults;
    }

    /** The most recent exception from the sink, or null. */
    public static Throwable lastFault() {
        return lastFault;
    }

    // ---- request handlers ---------------------------------------------------------------------

    /**
     * A handler method starts on this thread; returns the token to pass to {@link #handlerExit}
     * (null when nothing is installed).
     */
    public static Object handlerEnter(String type, String method) {
        ClientSink current = sink;
        if (current == null) {
            return null;
        }
        RequestState state = state();
        HandlerFrame frame = new HandlerFrame(type, method, state.handler, state.clientDepth, ORIGIN.get());
        if (state.handler == null) {
            current.requestStarted();
        }
        state.handler = frame;
        return frame;
    }

    /**
     * As {@link #handlerEnter}, but only when the thread is not serving a handler already (returns
     * null then): Netty runs a pipeline's inbound handlers nested on one thread for one message, and
     * the outermost one is the request's entry point. Saves the frame allocation for the inner ones.
     */
    public static Object outermostHandlerEnter(String type, String method) {
        if (sink == null) {
            return null;
        }
        RequestState state = STATE.get();
        if (state != null && state.handler != null) {
            return null;
        }
        return handlerEnter(type, method);
    }

    /** The handler method that {@code token} came from returns (or throws). */
    public static void handlerExit(Object token) {
        if (!(token instanceof HandlerFrame)) {
            return;
        }
        RequestState state = STATE.get();
        if (state == null) {
            return;
        }
        HandlerFrame frame = (HandlerFrame) token;
        state.handler = frame.outer();
        state.clientDepth = frame.clientDepthAtEntry;
        state.nestedPool = null;
        // set, not remove, when it was null: handlerEnter's get() made the entry (with null) anyway, and
        // a remove per request made every request insert and expunge a thread-local entry (0.5 % of
        // the keep-alive HTTP benchmark's CPU samples, async-profiler)
        ORIGIN.set(frame.originAtEntry);
    }

    /**
     * The call site of the client this thread was started by (or the thread built last), as the sink
     * recorded it, or null.
     */
    public static Object inheritedOriginSite() {
        ClientOrigin origin = ORIGIN.get();
        return origin == null ? null : origin.site();
    }

    /** The innermost handler this thread is serving, or null. */
    public static HandlerFrame currentHandler() {
        RequestState state = STATE.get();
        return state == null ? null : state.handler;
    }

    // ---- client construction ------------------------------------------------------------------

    /** A client-building method starts; returns {@link #OUTERMOST}, {@link #NESTED} or {@link #NOT_COUNTED}. */
    public static int constructionEnter() {
        return constructionEnter(null);
    }

    /**
     * As {@link #constructionEnter()}, for a hook of {@code family}: an {@link #INTERNAL} one keeps the
     * thread's client origin, so that the threads a library starts while it connects (Lettuce's event
     * loops, inside its {@code connectionBuilder}) inherit the client that the application built.
     */
    public static int constructionEnter(String family) {
        if (sink == null) {
            return NOT_COUNTED;
        }
        RequestState state = state();
        if (state.clientDepth++ == 0) {
            state.nestedPool = null;
            if (!INTERNAL.equals(family)) {
                ORIGIN.set(new ClientOrigin());
            }
            return OUTERMOST;
        }
        return NESTED;
    }

    /**
     * The client-building method that returned {@code entered} from {@link #constructionEnter} ends;
     * the outermost one that did not throw is reported as a client of {@code family}.
     */
    public static void constructionExit(int entered, String family, Throwable thrown) {
        constructionExit(entered, family, thrown, null);
    }

    /** As {@link #constructionExit(int, String, Throwable)}, naming the pool the client uses. */
    public static void constructionExit(int entered, String family, Throwable thrown, Object resource) {
        if (entered == NOT_COUNTED) {
            return;
        }
        RequestState state = STATE.get();
        if (state == null) {
            return;
        }
        if (state.clientDepth > 0) {
            state.clientDepth--;
        }
        ClientSink s = sink;
        if (entered == NESTED && resource != null && state.nestedPool == null) {
            state.nestedPool = resource;
        }
        if (entered != OUTERMOST) {
            return;
        }
        Object pool = resource != null ? resource : state.nestedPool;
        state.nestedPool = null;
        if (thrown != null || s == null || INTERNAL.equals(family)) {
            return;
        }
        try {
            ClientOrigin origin = ORIGIN.get();
            s.clientBuilt(family, state.handler, pool, origin != null ? origin : new ClientOrigin());
        } catch (Throwable t) {
            fault(t);
        }
    }

    private static RequestState state() {
        RequestState state = STATE.get();
        if (state == null) {
            state = new RequestState();
            STATE.set(state);
        }
        return state;
    }

    private static void fault(Throwable t) {
        lastFault = t;
        int n = faults + 1; // racy increments may lose a count; the threshold only needs to be reached
        faults = n;
        if (n >= MAX_FAULTS) {
            sink = null;
        }
    }
}
