package io.churnagent.it.programs;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/**
 * Server binds that fail, printing what the application sees. {@code held PORT}: PORT is another
 * process's listener; binds it through {@code ServerSocket} (127.0.0.1) and {@code ServerSocketChannel}
 * (0.0.0.0), then binds an address that is not local. {@code time-wait}: leaves a server-side
 * TIME_WAIT on two ports (a server that closed first, then stopped listening) and binds them again
 * without {@code SO_REUSEADDR}, then with it.
 */
public final class FailingBinds {

    private static final InetAddress LOOPBACK = loopback();

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        if (args[0].equals("held")) {
            int port = Integer.parseInt(args[1]);
            tryBind(() -> new ServerSocket(port, 50, LOOPBACK).close());
            tryBind(() -> ServerSocketChannel.open().bind(new InetSocketAddress(port)).close());
            tryBind(() -> new ServerSocket(port, 50, InetAddress.getByName("203.0.113.7")).close());
        } else {
            int first = timeWaitLeftOn();
            int second = timeWaitLeftOn();
            Thread.sleep(200);
            tryBind(() -> {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(LOOPBACK, first));
                s.close();
            });
            tryBind(() -> {
                ServerSocketChannel ch = ServerSocketChannel.open();
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, false);
                try {
                    ch.bind(new InetSocketAddress(LOOPBACK, second));
                } finally {
                    ch.close();
                }
            });
            ServerSocket fixed = new ServerSocket();
            fixed.setReuseAddress(true);
            fixed.bind(new InetSocketAddress(LOOPBACK, first));
            System.out.println("with SO_REUSEADDR: bound " + fixed.getLocalPort());
            fixed.close();
        }
        Thread.sleep(2500); // the agent diagnoses on its reporter thread, about once a second
    }

    /** A listener (SO_REUSEADDR on, as servers have) that closes its accepted connection first, then stops. */
    private static int timeWaitLeftOn() throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(LOOPBACK, 0));
        try (Socket client = new Socket(LOOPBACK, server.getLocalPort())) {
            Socket accepted = server.accept();
            accepted.getOutputStream().write(1);
            accepted.close();
            InputStream in = client.getInputStream();
            while (in.read() >= 0) {
                // until the server's FIN
            }
        }
        server.close();
        return server.getLocalPort();
    }

    private interface Bind {
        void run() throws IOException;
    }

    private static void tryBind(Bind bind) {
        try {
            bind.run();
            System.out.println("app saw: bound");
        } catch (IOException e) {
            System.out.println("app saw: " + e);
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
