package io.churnagent.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@code GET} to one URI at a steady rate through a single shared, keep-alive
 * {@link HttpClient}, counting outcomes in {@link RunStats}; start once, stop once, from any thread.
 * At most {@link #MAX_IN_FLIGHT} requests are outstanding: a request due while that many are
 * pending is skipped and counted, so a slow gateway slows nothing down but cannot pile up work.
 */
final class LoadDriver {

    static final int MAX_IN_FLIGHT = 64;
    private static final long TICK_MILLIS = 5;

    private final URI target;
    private final int requestsPerSecond;
    private final RunStats stats;
    private final HttpClient client;
    private final HttpRequest request;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final ScheduledExecutorService ticker =
            Executors.newSingleThreadScheduledExecutor(new DaemonThreadFactory("demo-load-ticker"));
    private long startNanos;
    private long sent; // touched only by the ticker thread

    LoadDriver(URI target, int requestsPerSecond, RunStats stats) {
        this.target = target;
        this.requestsPerSecond = requestsPerSecond;
        this.stats = stats;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(4, new DaemonThreadFactory("demo-load-client")))
                .build();
        this.request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10)).GET().build();
    }

    void start() {
        startNanos = System.nanoTime();
        ticker.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Sends every request that is due by now. Computing "due" from the start time, rather than
     * sending a fixed number per tick, keeps the average rate exact when ticks run late.
     */
    private void tick() {
        long elapsedMicros = (System.nanoTime() - startNanos) / 1_000;
        long due = elapsedMicros * requestsPerSecond / 1_000_000;
        for (; sent < due; sent++) {
            if (!inFlight.tryAcquire()) {
                stats.requestSkipped();
                continue;
            }
            try {
                send();
            } catch (RuntimeException e) {
                // Thrown out of tick(), it would silently cancel the schedule; count it instead.
                inFlight.release();
                stats.requestFailed("load driver", RunStats.describe(e));
            }
        }
    }

    private void send() {
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            inFlight.release();
            if (failure != null) {
                stats.requestFailed("load driver -> " + target, RunStats.describe(failure));
            } else if (response.statusCode() == 200) {
                stats.requestOk();
            } else {
                stats.requestFailed("load driver -> " + target,
                        "HTTP " + response.statusCode() + ": " + response.body().trim());
            }
        });
    }

    /** Stops sending and waits up to {@code waitMillis} for requests in flight to finish. */
    void stop(long waitMillis) throws InterruptedException {
        ticker.shutdownNow();
        ticker.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
        if (inFlight.tryAcquire(MAX_IN_FLIGHT, waitMillis, TimeUnit.MILLISECONDS)) {
            inFlight.release(MAX_IN_FLIGHT);
        }
    }
}
