package io.churnagent.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the churn demo in one JVM: two backends, a gateway that calls them per {@code GET /quote}
 * (with a client per request, or one shared client), and a load driver hitting the gateway; used
 * by one thread, except that {@link #printSummaryOnce} may also run from a shutdown hook.
 * Exit status: 0 after a run (even if requests failed), 1 if it could not start, 2 on bad arguments.
 */
public final class DemoApp {

    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long DRAIN_MILLIS = 3_000;

    private final DemoOptions options;
    private final PrintStream out;
    private final RunStats stats = new RunStats();
    private final AtomicBoolean summaryPrinted = new AtomicBoolean();
    private Backends backends;
    private Gateway gateway;
    private LoadDriver driver;
    private long startNanos;
    private volatile long endNanos;

    DemoApp(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (DemoOptions.InvalidOptionException e) {
            System.err.println("demo-app: " + e.getMessage());
            System.err.println(DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(DemoOptions.USAGE);
            return;
        }
        DemoApp app = new DemoApp(options, System.out);
        int status = 0;
        try {
            awaitAgent();
            app.start();
            // Killed (Ctrl-C, SIGTERM, or --duration=0 ending the only way it can): still summarize.
            Runtime.getRuntime().addShutdownHook(new Thread(app::printSummaryOnce, "demo-summary"));
            app.awaitEnd();
            app.stopLoad();
            app.printSummaryOnce();
        } catch (IOException e) {
            System.err.println("demo-app: could not start: " + RunStats.describe(e));
            status = 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.out.flush();
        // Exit explicitly: the shared JDK HttpClients and servers need not be torn down one by one.
        System.exit(status);
    }

    /**
     * With {@code -javaagent:churn-agent.jar} the agent installs on a daemon thread while the
     * application starts, and says so with the property {@code io.churnagent.starting}; the demo waits
     * for it (at most 10 s), so that the agent sees all of its load. Without the agent this returns at once.
     */
    static void awaitAgent() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.getProperty("io.churnagent.starting") != null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    /** Starts backends, gateway and load driver, and prints where they listen. */
    void start() throws IOException {
        configureJdkDefaults();
        backends = Backends.start();
        gateway = Gateway.start(options.port, BackendCalls.create(options.mode, options.client), backends.uris(), stats);
        out.println("churn demo: " + options + " java=" + Runtime.version() + " pid=" + ProcessHandle.current().pid());
        out.println("  backend inventory: " + backends.inventoryUri());
        out.println("  backend pricing:   " + backends.pricingUri());
        out.println("  gateway:           " + gateway.quoteUri());
        if (options.rps == 0) {
            out.println("  load driver off (--rps=0): send GET " + gateway.quoteUri() + " yourself");
        }
        out.flush();
        startNanos = System.nanoTime();
        if (options.rps > 0) {
            driver = new LoadDriver(gateway.quoteUri(), options.rps, stats);
            driver.start();
        }
    }

    /**
     * Sets the JDK properties the demo depends on, unless the user set them. Each is read once,
     * by the first server or connection in the JVM, so this must run before anything starts.
     */
    private static void configureJdkDefaults() {
        // The JDK server closes a connection instead of keeping it idle once it holds 200 idle ones.
        // On JDK 17 the gateway's abandoned clients keep hundreds of idle connections open until they
        // are garbage collected, so at that cap the backends would become the active closers and the
        // TIME_WAIT would move to them (measured: about 80% of it). Real backends keep idle
        // connections far longer, so lift the cap and let the client side close first, as in production.
        setIfAbsent("sun.net.httpserver.maxIdleConnections", "100000");
        // The JDK server leaves Nagle's algorithm on. Measured on JDK 17: pooled mode then managed
        // only ~350 of 400 requests/s, all gateway workers idle-waiting on responses (delayed-ACK
        // stalls); with TCP_NODELAY it keeps up. Real servers set TCP_NODELAY; so do these.
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        // The HttpURLConnection keep-alive cache keeps at most this many idle sockets per destination
        // (default 5) and closes the rest; pooled mode needs one per gateway worker.
        setIfAbsent("http.maxConnections", String.valueOf(Gateway.WORKER_THREADS));
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** Sleeps until the duration is over (forever if it is 0), printing progress every 5 s. */
    void awaitEnd() throws InterruptedException {
        long durationNanos = TimeUnit.SECONDS.toNanos(options.durationSeconds);
        long nextProgress = PROGRESS_EVERY_NANOS;
        long okAtLastProgress = 0;
        while (true) {
            long elapsed = System.nanoTime() - startNanos;
            if (options.durationSeconds > 0 && elapsed >= durationNanos) {
                return;
            }
            long wakeAt = options.durationSeconds > 0 ? Math.min(nextProgress, durationNanos) : nextProgress;
            if (elapsed < wakeAt) {
                TimeUnit.NANOSECONDS.sleep(wakeAt - elapsed);
                continue;
            }
            long ok = stats.requestsOk();
            out.printf(Locale.ROOT, "[%4ds] ok=%d failed=%d skipped=%d (%.1f ok/s over the last 5 s)%n",
                    TimeUnit.NANOSECONDS.toSeconds(nextProgress), ok, stats.requestsFailed(), stats.requestsSkipped(),
                    (ok - okAtLastProgress) * 1e9 / PROGRESS_EVERY_NANOS);
            out.flush();
            okAtLastProgress = ok;
            nextProgress += PROGRESS_EVERY_NANOS;
        }
    }

    /** Stops sending and lets requests in flight finish (a few seconds at most). */
    void stopLoad() throws InterruptedException {
        endNanos = System.nanoTime();
        if (driver != null) {
            driver.stop(DRAIN_MILLIS);
        }
    }

    /** Prints the summary the first time it is called; later calls do nothing. */
    void printSummaryOnce() {
        if (!summaryPrinted.compareAndSet(false, true)) {
            return;
        }
        long end = endNanos != 0 ? endNanos : System.nanoTime();
        double seconds = Math.max(1e-9, (end - startNanos) / 1e9);
        String firstFailure = stats.firstFailure();
        out.printf(Locale.ROOT, "summary: %s, ran %.1f s%n", options, seconds);
        out.printf(Locale.ROOT, "  requests ok:      %d (%.1f/s)%n", stats.requestsOk(), stats.requestsOk() / seconds);
        out.printf(Locale.ROOT, "  requests failed:  %d%n", stats.requestsFailed());
        out.printf(Locale.ROOT, "  requests skipped: %d (%d already in flight)%n",
                stats.requestsSkipped(), LoadDriver.MAX_IN_FLIGHT);
        out.printf(Locale.ROOT, "  gateway backend call failures: %d%n", stats.backendFailures());
        out.println("  first failure: " + (firstFailure == null ? "none" : firstFailure));
        out.flush();
    }

    RunStats stats() {
        return stats;
    }

    /** Stops the servers; the JDK clients' own threads are daemons and die with the JVM. */
    void close() {
        if (gateway != null) {
            gateway.close();
        }
        if (backends != null) {
            backends.close();
        }
    }
}
