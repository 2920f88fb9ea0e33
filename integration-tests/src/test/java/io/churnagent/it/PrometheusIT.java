package io.churnagent.it;

import io.churnagent.it.programs.SteadyConnections;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code metrics.port}: the endpoint serves the text exposition format over HTTP, bound to loopback,
 * with the program's exact counts; the agent does not count its own sockets; garbage, oversized and
 * stalled requests do not hurt the application or the next scrape.
 */
class PrometheusIT {

    private static final int N = 200;

    @OnEachJdk
    void scrapesSurviveGarbageAndCarryTheCounts(Path jdk) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent("metrics.port=0,report.interval=off")
                .mainClass(SteadyConnections.class, Integer.toString(N), "200", "90");
        jvm.start();
        List<Socket> held = new ArrayList<>();
        try {
            AgentEvent started = AgentEvent.parse(jvm.awaitLine(l -> l.contains("event=metrics_started"), Duration.ofSeconds(20)));
            assertEquals("127.0.0.1", started.get("address"), "loopback unless metrics.host says otherwise");
            int port = Integer.parseInt(started.get("port"));
            assertTrue(port > 0, started::toString);
            String serverPort = jvm.awaitLine(l -> l.startsWith("port="), Duration.ofSeconds(20)).substring(5);
            jvm.awaitLine(l -> l.equals("done"), Duration.ofSeconds(30));
            String series = "{destination=\"127.0.0.1:" + serverPort + "\",host=\"127.0.0.1\"}";

            Map<String, Double> first = awaitCounts(port, series);
            assertEquals(N, first.get("churn_agent_closes_total" + series));
            assertEquals(0, first.get("churn_agent_open_connections" + series));
            assertEquals(28232, first.get("churn_agent_capacity_ports" + series), 28232 * 0.9, "a plausible capacity");
            assertNotNull(first.get("churn_agent_projected_load_ratio" + series));
            assertNotNull(first.get("churn_agent_seconds_to_exhaustion" + series));
            assertNotNull(first.get("churn_agent_observed_time_wait" + series), "the kernel's figure, from /proc");

            notReachableOffLoopback(port);

            // garbage of every kind, then the application and the next scrape are fine
            Random random = new Random(1);
            byte[] noise = new byte[65_536];
            random.nextBytes(noise);
            send(port, noise);
            byte[] huge = new byte[1 << 20];
            java.util.Arrays.fill(huge, (byte) 'A');
            send(port, concat("GET /".getBytes(StandardCharsets.US_ASCII), huge));
            String preface = response(port, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(preface.isEmpty() || preface.startsWith("HTTP/1.1 4"), preface);
            String badMethod = response(port, "DELETE /metrics HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(badMethod.startsWith("HTTP/1.1 405"), badMethod);
            String notFound = response(port, "GET /nope HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(notFound.startsWith("HTTP/1.1 404"), notFound);
            for (int i = 0; i < 3; i++) { // unfinished requests that then hang
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                held.add(s);
            }
            for (int i = 0; i < 80; i++) { // idle connections beyond the cap: the oldest are closed
                held.add(new Socket("127.0.0.1", port));
            }

            // a stalled client holds no thread: the next scrape is answered at once
            long before = System.nanoTime();
            Map<String, Double> after = scrape(port, Duration.ofSeconds(5));
            assertEquals(N, after.get("churn_agent_connects_total" + series), "the next scrape works");
            assertTrue(System.nanoTime() - before < Duration.ofSeconds(2).toNanos(), "answered at once");
            for (Socket s : held) {
                s.close();
            }
            held.clear();
            for (int i = 0; i < 20; i++) {
                scrape(port, Duration.ofSeconds(10));
            }
            Map<String, Double> last = scrape(port, Duration.ofSeconds(10));
            assertEquals(1, last.get("churn_agent_destinations"),
                    () -> "the scrapes (the agent's own server sockets) are not counted as destinations: " + last);
            assertEquals(N, last.get("churn_agent_connects_total" + series));
            assertTrue(jvm.stdout().contains("done") && !jvm.stdout().contains("exiting"), "the application still runs");
            assertFalse(jvm.stderr().contains("event=agent_error"), jvm::stderr);
            assertTrue(threadsAreOurs(jvm), "the endpoint's thread is a daemon named churn-agent-metrics");
        } finally {
            for (Socket s : held) {
                s.close();
            }
            jvm.kill();
        }
    }

    /** The counts become visible at the next evaluation (about 1 s). */
    private static Map<String, Double> awaitCounts(int port, String series) throws Exception {
        return Await.until(Duration.ofSeconds(15), () -> scrape(port, Duration.ofSeconds(10)),
                samples -> Double.valueOf(N).equals(samples.get("churn_agent_connects_total" + series)),
                last -> "churn_agent_connects_total" + series + " = " + N + " in a scrape; last: " + last);
    }

    /** GET /metrics with a plain socket: status, Content-Type and a body that passes the strict reader. */
    static Map<String, Double> scrape(int port, Duration timeout) throws Exception {
        String response = response(port, ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: text/plain\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), timeout);
        int split = response.indexOf("\r\n\r\n");
        assertTrue(split > 0, response);
        String head = response.substring(0, split);
        assertTrue(head.startsWith("HTTP/1.1 200 OK"), head);
        assertTrue(head.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"), head);
        String body = response.substring(split + 4);
        String length = head.lines().filter(l -> l.startsWith("Content-Length: ")).findFirst().orElseThrow().substring(16);
        assertEquals(Integer.parseInt(length), body.getBytes(StandardCharsets.UTF_8).length);
        return ExpositionFormat.parse(body);
    }

    private static String response(int port, byte[] request) throws Exception {
        return response(port, request, Duration.ofSeconds(15));
    }

    private static String response(int port, byte[] request, Duration timeout) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout((int) timeout.toMillis());
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                s.getInputStream().transferTo(out);
            } catch (java.net.SocketException reset) {
                // the server closed on us mid-request: what it sent so far is the answer
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** Sends bytes and reads whatever comes back, tolerating the server closing early. */
    private static void send(int port, byte[] bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(bytes);
                out.flush();
                InputStream in = s.getInputStream();
                in.transferTo(OutputStream.nullOutputStream());
            } catch (java.net.SocketException | SocketTimeoutException closedEarly) {
                // the server refused the rest: exactly what it should do
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** A non-loopback IPv4 address of this host cannot reach the endpoint (it is bound to 127.0.0.1). */
    private static void notReachableOffLoopback(int port) throws Exception {
        InetAddress outside = null;
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    outside = a;
                }
            }
        }
        if (outside == null) {
            return; // no other address on this machine: the bound address checked above is the proof
        }
        InetAddress target = outside;
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(target, port), 2000);
            }
        }, "reachable on " + target);
    }

    private static boolean threadsAreOurs(ForkedJvm jvm) throws Exception {
        Process jstack = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(jvm.pid()), "Thread.print").redirectErrorStream(true).start();
        String dump = new String(jstack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jstack.waitFor();
        boolean found = false;
        for (String line : dump.split("\n")) {
            if (line.startsWith("\"churn-agent-metrics")) {
                found = true;
                if (!line.contains(" daemon ")) {
                    return false;
                }
            }
        }
        return found;
    }
}
