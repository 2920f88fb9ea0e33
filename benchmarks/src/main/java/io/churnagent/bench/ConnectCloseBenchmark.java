package io.churnagent.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Loopback connect + close, the operation the agent's hot path sits on: with and without the agent
 * in separate forks; thread count set by the runner (1 and 8).
 */
public class ConnectCloseBenchmark {

    /** Eight listeners on 127.0.0.1-8 shared by all threads. */
    @State(Scope.Benchmark)
    public static class Servers {
        LoopbackServers servers;
        InetSocketAddress[] addresses;

        @Setup(Level.Trial)
        public void start() throws IOException {
            servers = new LoopbackServers(8);
            addresses = servers.addresses();
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            servers.close();
        }
    }

    /** Each thread walks the destinations round robin. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    public int connectClose(Servers servers, Cursor cursor) throws IOException {
        InetSocketAddress destination = servers.addresses[cursor.next++ & 7];
        try (Socket socket = new Socket()) {
            socket.connect(destination, 5_000);
            return socket.getLocalPort();
        }
    }
}
