package io.churnagent.it.programs;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Churns to one loopback server at a steady rate for a while, or until a line {@code stop} on stdin,
 * then returns from {@code main} (a normal JVM exit: the shutdown hooks run). Prints
 * {@code ready port=P} once the server listens and {@code churned N} at the end. Args: seconds at
 * most, connections per second.
 */
public final class HtmlReportChurn {

    private static volatile boolean stopped;

    public static void main(String[] args) throws Exception {
        Thread stdin = new Thread(() -> {
            try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.equals("stop")) {
                        stopped = true;
                        return;
                    }
                }
            } catch (java.io.IOException e) {
                // no more commands
            }
        }, "stdin");
        stdin.setDaemon(true);
        stdin.start();
        AgentReady.await(); // the agent installs in the background: count from when it watches
        int seconds = Integer.parseInt(args[0]);
        int perSecond = Integer.parseInt(args[1]);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 200, loopback)) {
            DrainingBackend.drainEach(server);
            System.out.println("ready port=" + server.getLocalPort());
            long start = System.nanoTime();
            long n = 0;
            while (!stopped && System.nanoTime() - start < seconds * 1_000_000_000L) {
                fetchPrice(loopback, server.getLocalPort());
                n++;
                long due = start + n * 1_000_000_000L / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                }
            }
            System.out.println("churned " + n);
        }
    }

    /** A new connection per call: the churn the report shows, with this method as its call site. */
    static void fetchPrice(InetAddress address, int port) throws Exception {
        new Socket(address, port).close();
    }
}
