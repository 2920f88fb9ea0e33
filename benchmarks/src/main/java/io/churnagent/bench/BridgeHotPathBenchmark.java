package io.churnagent.bench;

import io.churnagent.bootstrap.ChurnBridge;
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
 * What the agent adds to one connect + close with no I/O: the two calls the inlined advice makes
 * ({@code socketConnectExit} after {@code Socket.connect}, {@code socketClose} before
 * {@code Socket.close}) on a connected socket to a known destination, through the installed tracker.
 * Runs only with the agent attached (it defines the bridge in the boot loader).
 */
public class BridgeHotPathBenchmark {

    /** One connected socket whose facts the bridge reads each time. */
    @State(Scope.Thread)
    public static class Connection {
        LoopbackServers servers;
        Socket socket;
        InetSocketAddress destination;

        @Setup(Level.Trial)
        public void connect() throws IOException {
            if (!ChurnBridge.installed()) {
                throw new IllegalStateException("run with -javaagent:churn-agent.jar: no tracker is installed");
            }
            servers = new LoopbackServers(1);
            destination = servers.addresses()[0];
            socket = new Socket();
            socket.connect(destination, 5_000);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            socket.close();
            servers.close();
        }
    }

    @Benchmark
    public void connectExitThenClose(Connection c) {
        ChurnBridge.socketConnectExit(c.socket, c.destination, null);
        ChurnBridge.socketClose(c.socket);
    }
}
