package example.shop;

import io.churnagent.junit.ChurnCheck;
import io.churnagent.junit.MaxConnections;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.churnagent.junit.ChurnAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Test classes run by the extension's own tests through the test kit: plain sockets to a loopback
 * echo server, opened one per call or once, on the test's thread, on threads it starts, on virtual
 * threads, and in two tests running at the same time.
 */
public final class SocketFixtures {

    /** Connections a churning test opens. */
    public static final int CHURNED = 20;

    private SocketFixtures() {
    }

    /** A loopback server that answers each byte it reads with the same byte, until the client closes. */
    static final class EchoServer implements AutoCloseable {
        final ServerSocket server;
        private final Thread acceptor;

        EchoServer() throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
            acceptor = new Thread(this::accept, "echo-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        String destination() {
            return "127.0.0.1:" + port();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> echo(s), "echo");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void echo(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                for (int b; (b = in.read()) >= 0; ) {
                    out.write(b);
                }
            } catch (IOException ignored) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** One round trip on a new connection, closed by this side. */
    static void callOnce(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) { // churn-site: a socket per call
            s.getOutputStream().write(1);
            if (s.getInputStream().read() != 1) {
                throw new IOException("no echo");
            }
        }
    }

    /** {@link #CHURNED} calls of {@link #callOnce} on {@code threads}, which it shuts down after. */
    static void churnOn(ExecutorService threads, int port) throws Exception {
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < CHURNED; i++) {
                calls.add(threads.submit(() -> {
                    callOnce(port);
                    return null;
                }));
            }
            for (Future<?> f : calls) {
                f.get();
            }
        } finally {
            threads.shutdown();
        }
    }

    /** A test that opens {@link #CHURNED} connections and one that keeps a single one. */
    @MaxConnections(5)
    public static class PerCall {
        static EchoServer server;

        @BeforeAll
        static void start() throws IOException {
            server = new EchoServer();
        }

        @AfterAll
        static void stop() throws IOException {
            server.close();
        }

        @Test
        void connectionPerCall() throws IOException {
            for (int i = 0; i < CHURNED; i++) {
                callOnce(server.port());
            }
        }

        @Test
        void oneConnection(ChurnCheck churn) throws IOException {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                for (int i = 0; i < CHURNED; i++) {
                    s.getOutputStream().write(1);
                    assertEquals(1, s.getInputStream().read());
                }
            }
            assertThat(churn).connectionsTo(server.destination()).isAtMost(1);
        }

        @Test
        void programmaticCheck(ChurnCheck churn) throws IOException {
            for (int i = 0; i < 3; i++) {
                callOnce(server.port());
            }
            assertEquals(3, churn.connectionsTo(server.destination()), churn.toString());
            assertEquals(3, churn.closesTo(server.destination()), churn.toString());
            assertThat(churn).connectionsTo(server.destination()).isZero(); // fails: 3 connections
        }
    }

    /**
     * Two tests at once (the test kit runs this class with parallel execution on), each waiting for
     * the other inside, so that neither count can come from running alone: one churns on threads it
     * starts, the other opens one connection.
     */
    @Execution(ExecutionMode.CONCURRENT)
    public static class Concurrent {
        static EchoServer server;
        static final CyclicBarrier BOTH_RUNNING = new CyclicBarrier(2);

        @BeforeAll
        static void start() throws IOException {
            server = new EchoServer();
        }

        @AfterAll
        static void stop() throws IOException {
            server.close();
        }

        @Test
        @MaxConnections(5)
        void churnsOnAPool(ChurnCheck churn) throws Exception {
            BOTH_RUNNING.await(30, TimeUnit.SECONDS);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            churnOn(pool, server.port());
            BOTH_RUNNING.await(30, TimeUnit.SECONDS);
            System.out.println("churn-fixture " + churn);
        }

        @Test
        @MaxConnections(5)
        void opensOne(ChurnCheck churn) throws Exception {
            BOTH_RUNNING.await(30, TimeUnit.SECONDS);
            callOnce(server.port());
            BOTH_RUNNING.await(30, TimeUnit.SECONDS);
            assertEquals(1, churn.connections(), churn.toString());
        }
    }

    /**
     * Connections opened on virtual threads (JDK 21 and later) are the test's; a second test runs
     * at the same time, as in {@link Concurrent}, so that attribution cannot fall back on the one test
     * running.
     */
    @Execution(ExecutionMode.CONCURRENT)
    public static class VirtualThreads {
        static EchoServer server;
        static final CyclicBarrier BOTH_RUNNING = new CyclicBarrier(2);

        @BeforeAll
        static void start() throws IOException {
            assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21; this is JDK "
                    + Runtime.version().feature());
            server = new EchoServer();
        }

        @AfterAll
        static void stop() throws IOException {
            if (server != null) {
                server.close();
            }
        }

        @Test
        @MaxConnections(5)
        void churnsOnVirtualThreads() throws Exception {
            BOTH_RUNNING.await(30, TimeUnit.SECONDS);
            Method factory = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            ExecutorService virtual = (ExecutorService) factory.invoke(null);
            churnOn(virtual, server.port());
            BOTH_RUNNING.await(30, TimeUnit.SECONDS);
        }

        @Test
        @MaxConnections(5)
        void opensOne(ChurnCheck churn) throws Exception {
            BOTH_RUNNING.await(30, TimeUnit.SECONDS);
            callOnce(server.port());
            BOTH_RUNNING.await(30, TimeUnit.SECONDS);
            assertEquals(1, churn.connections(), churn.toString());
        }
    }
}
