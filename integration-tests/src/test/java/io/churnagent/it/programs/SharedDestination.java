package io.churnagent.it.programs;

import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Two clients of one loopback HTTP backend: a load driver's shared OkHttp client that keeps 8
 * connections alive and busy (its 8 connects are the destination's first, so all of them are
 * sampled), and, once those are open, an OkHttp client built per call ({@link #perRequest}) whose one
 * connection is closed after the call. The churn is the per-request client's. Args: calls per second
 * of the per-request client, seconds.
 */
public final class SharedDestination {

    static final int DRIVER_CONNECTIONS = 8;

    public static void main(String[] args) throws Exception {
        AgentReady.await();
        int rate = Integer.parseInt(args[0]);
        int seconds = Integer.parseInt(args[1]);
        URI backend = OkBackend.start();
        okhttp3.OkHttpClient driver = new okhttp3.OkHttpClient.Builder()
                .connectionPool(new okhttp3.ConnectionPool(DRIVER_CONNECTIONS, 5, TimeUnit.MINUTES)).build();
        CountDownLatch open = new CountDownLatch(DRIVER_CONNECTIONS);
        CountDownLatch first = new CountDownLatch(DRIVER_CONNECTIONS);
        for (int i = 0; i < DRIVER_CONNECTIONS; i++) {
            Thread t = new Thread(() -> drive(driver, backend, open, first), "load-driver-" + i);
            t.setDaemon(true);
            t.start();
        }
        first.await();
        System.out.println("driver: " + driver.connectionPool().connectionCount() + " connections");
        long start = System.nanoTime();
        int done = 0;
        for (long i = 0; i < (long) rate * seconds; i++) {
            SteadyRate.awaitRound(start, i, rate);
            perRequest(backend);
            done++;
        }
        System.out.println("per-request calls: " + done + " to port " + backend.getPort());
    }

    /** A request served on a client of its own, whose connection is closed after it. */
    static void perRequest(URI backend) throws Exception {
        okhttp3.OkHttpClient client = new okhttp3.OkHttpClient();
        try (okhttp3.Response r = client.newCall(new okhttp3.Request.Builder().url(backend.toString()).build()).execute()) { // SITE:per-request
            r.body().string();
        }
        client.connectionPool().evictAll();
    }

    /** One of the load driver's threads: the first call of each runs together, so 8 connections open. */
    private static void drive(okhttp3.OkHttpClient driver, URI backend, CountDownLatch open, CountDownLatch first) {
        try {
            open.countDown();
            open.await();
            call(driver, backend);
            first.countDown();
            while (true) {
                call(driver, backend);
                Thread.sleep(100);
            }
        } catch (Exception e) {
            System.out.println("driver: " + e);
        }
    }

    private static void call(okhttp3.OkHttpClient driver, URI backend) throws Exception {
        try (okhttp3.Response r = driver.newCall(new okhttp3.Request.Builder().url(backend.toString()).build()).execute()) { // SITE:driver
            r.body().string();
        }
    }
}
