package io.churnagent.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * A real {@code redis-server} (Debian's package) for one test: on a free port, bound to 127.0.0.1
 * only, with no persistence, stopped by {@link #close()}. A missing binary fails the test with the
 * command that installs it ({@code .ci/run} does): the Redis clients are a core scenario, not an
 * optional one.
 */
final class RedisServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private RedisServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static RedisServer start() throws Exception {
        Path binary = List.of(Paths.get("/usr/bin/redis-server"), Paths.get("/usr/local/bin/redis-server")).stream()
                .filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("redis-server is not installed: apt-get install -y redis-server "
                        + "(.ci/run does it on a fresh machine)"));
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path log = Files.createTempFile("churn-it-redis", ".log");
        Process p = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--protected-mode", "yes", "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--maxclients", "10000", "--dir", log.getParent().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RedisServer server = new RedisServer(p, port, log);
        try {
            Await.until(java.time.Duration.ofSeconds(10), () -> pong(port), () -> "redis-server answers PING");
            return server;
        } catch (AssertionError timedOut) {
            server.close();
            throw new AssertionError("redis-server did not answer on 127.0.0.1:" + port + " within 10 s:\n"
                    + Files.readString(log), timedOut);
        }
    }

    private static boolean pong(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write("PING\r\n".getBytes());
            byte[] reply = new byte[7];
            return s.getInputStream().read(reply) > 0 && new String(reply).startsWith("+PONG");
        } catch (IOException notYet) {
            return false;
        }
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }
}
