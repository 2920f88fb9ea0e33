package io.churnagent.churn;

import io.churnagent.bootstrap.ClientOrigin;
import io.churnagent.bootstrap.ClientSink;
import io.churnagent.bootstrap.HandlerFrame;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The agent's {@link ClientSink}: counts every client construction by family, captures its stack
 * (rate-limited) for the {@link ClientOrigin} its threads inherit, and for those inside a request
 * handler records the call site in a {@link ClientSiteTable}; thread-safe.
 *
 * <p>A construction that names a pool seen before (an OkHttp client derived with
 * {@code newBuilder()}) is not a new client and is ignored. Pools are held weakly.
 *
 * <p>Runs on the application thread that builds the client. Building a client costs far more than
 * a bounded stack walk, and the walks are rate-limited on top, so this stays out of the way; the
 * connect/close path never comes here.
 */
public final class ClientSiteRecorder implements ClientSink {

    /** Deep enough for a handler under Spring or a servlet container (their stacks run to ~150 frames). */
    static final int MAX_DEPTH = 256;

    private final ClientSiteTable table;
    private final StackSource stacks;
    private final RateLimiter captures;
    private final Ticker ticker;
    private final ObserverSlot observers;
    private final ConcurrentHashMap<String, LongAdder> byFamily = new ConcurrentHashMap<>();
    private final AtomicLong notCaptured = new AtomicLong();
    private final AtomicLong sharedPool = new AtomicLong();
    private final JdkClientThreads threadOrigins;
    /** Pools seen, weakly; cleared when it grows past {@link #MAX_POOLS_REMEMBERED} (a bound, not expected). */
    private final Map<Object, Boolean> pools = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    static final int MAX_POOLS_REMEMBERED = 10_000;
    /** The largest idle limit of the OkHttp pools seen ({@code maxIdleConnections}), -1 before one is read. */
    private volatile int okHttpMaxIdle = -1;
    private final AtomicLong okHttpPools = new AtomicLong();
    private volatile long lastOkHttpPoolNanos;
    /** More new OkHttp pools than this, the last within a minute: clients are built per call, not shared. */
    static final int OKHTTP_POOLS_PER_CALL = 10;

    public ClientSiteRecorder(ClientSiteTable table, StackSource stacks, RateLimiter captures, Ticker ticker) {
        this(table, stacks, captures, ticker, ObserverSlot.none());
    }

    /** @param observers where constructions and request starts are handed to an in-process observer */
    public ClientSiteRecorder(ClientSiteTable table, StackSource stacks, RateLimiter captures, Ticker ticker,
                              ObserverSlot observers) {
        this(table, new JdkClientThreads(), stacks, captures, ticker, observers);
    }

    /** @param threadOrigins where the sites of JDK clients are registered by their threads' names */
    public ClientSiteRecorder(ClientSiteTable table, JdkClientThreads threadOrigins, StackSource stacks,
                              RateLimiter captures, Ticker ticker, ObserverSlot observers) {
        this.table = table;
        this.threadOrigins = threadOrigins;
        this.stacks = stacks;
        this.captures = captures;
        this.ticker = ticker;
        this.observers = observers;
    }

    /** A request handler started (the outermost one on its thread); only an observer wants to know. */
    @Override
    public void requestStarted() {
        observers.requestStarted();
    }

    @Override
    public void clientBuilt(String family, HandlerFrame handler, Object resource, ClientOrigin origin) {
        if (resource != null && !firstSighting(resource)) {
            sharedPool.incrementAndGet();
            return;
        }
        byFamily.computeIfAbsent(family, f -> new LongAdder()).increment();
        if (resource != null && family.equals("okhttp")) {
            okHttpPools.incrementAndGet();
            lastOkHttpPoolNanos = ticker.nanoTime();
            int idle = OkHttpPools.maxIdle(resource);
            if (idle > okHttpMaxIdle) {
                okHttpMaxIdle = idle;
            }
        }
        boolean observed = observers.active(); // an observer sees every construction, beyond the rate limit
        boolean captured = captures.tryAcquire();
        if (!captured && !observed) {
            if (handler != null) {
                notCaptured.incrementAndGet();
            }
            return;
        }
        TrimmedStack stack = handler == null ? stacks.trimmed(MAX_DEPTH)
                : stacks.trimmed(MAX_DEPTH, handler.type(), handler.method());
        if (observed) {
            observers.clientBuilt(family, handler == null ? null
                    : stack.handlerFrame() != null ? stack.handlerFrame() : handler.label(), stack);
        }
        if (!captured) {
            if (handler != null) {
                notCaptured.incrementAndGet();
            }
            return;
        }
        if (stack.site() == null) {
            if (handler != null) {
                notCaptured.incrementAndGet();
            }
            return;
        }
        if (origin != null) {
            origin.site(stack);
        }
        if (resource != null && family.equals("jdk-httpclient")) {
            threadOrigins.register(JdkClientThreads.prefixOf(resource), stack);
        }
        if (handler == null) {
            return; // built outside a request: the usual, healthy place for a client
        }
        String handlerName = stack.handlerFrame() != null ? stack.handlerFrame() : handler.label();
        if (table.record(family, stack, handlerName, ticker.nanoTime()) == null) {
            notCaptured.incrementAndGet();
        }
    }

    private boolean firstSighting(Object pool) {
        if (pools.size() >= MAX_POOLS_REMEMBERED) {
            pools.clear();
        }
        return pools.put(pool, Boolean.TRUE) == null;
    }

    /**
     * The call site that built the client owning the named thread (a JDK {@code HttpClient}'s
     * selector or worker), or null.
     */
    public TrimmedStack originOfThread(String threadName) {
        return threadOrigins.lookup(threadName);
    }

    /**
     * The largest {@code maxIdleConnections} of the OkHttp connection pools built so far (5 by
     * default), or -1 when none was built or it could not be read.
     */
    public int okHttpMaxIdle() {
        return okHttpMaxIdle;
    }

    /**
     * Whether OkHttp clients are being built with pools of their own again and again (more than
     * {@value #OKHTTP_POOLS_PER_CALL}, the last within a minute): then their churn is the clients', not
     * one shared pool's idle limit.
     */
    public boolean okHttpBuiltPerCall() {
        return okHttpPools.get() > OKHTTP_POOLS_PER_CALL && ticker.nanoTime() - lastOkHttpPoolNanos < 60_000_000_000L;
    }

    /** Constructions that reused a pool seen before (not new clients). */
    public long sharedPoolConstructions() {
        return sharedPool.get();
    }

    /** The table of sites inside handlers. */
    public ClientSiteTable table() {
        return table;
    }

    /** Clients built so far, by family, inside handlers or not. */
    public Map<String, Long> builtByFamily() {
        Map<String, Long> result = new TreeMap<>();
        byFamily.forEach((f, n) -> result.put(f, n.sum()));
        return result;
    }

    /** Constructions inside handlers whose site was not recorded (capture rate limit, no application frame, table full). */
    public long notCaptured() {
        return notCaptured.get();
    }
}
