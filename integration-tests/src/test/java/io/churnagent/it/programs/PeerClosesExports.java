package io.churnagent.it.programs;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Short loopback connections whose server closes first (the TIME_WAIT lands on the server's side), and,
 * every second, what the agent's exports say of their destination: {@code exports jmx=<WarningLevel
 * attribute> prometheus=<churn_agent_warning_level>} ({@code -} while not there yet). Args: the
 * agent's metrics port, connections per second, seconds.
 */
public final class PeerClosesExports {

    public static void main(String[] args) throws Exception {
        AgentReady.await();
        int metricsPort = Integer.parseInt(args[0]);
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 200, loopback)) {
            Thread acceptor = new Thread(() -> serve(server), "server");
            acceptor.setDaemon(true);
            acceptor.start();
            String label = "127.0.0.1:" + server.getLocalPort();
            System.out.println("ready port=" + server.getLocalPort());
            MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("io.churnagent:type=Destination,name=" + ObjectName.quote(label));
            long start = System.nanoTime();
            long period = 1_000_000_000L / rate;
            long nextLook = start + 1_000_000_000L;
            for (long next = start; next - start < seconds * 1_000_000_000L; next += period) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                }
                try (Socket s = new Socket(loopback, server.getLocalPort())) {
                    s.setSoTimeout(5000);
                    InputStream in = s.getInputStream();
                    while (in.read() >= 0) {
                        // until the server's FIN
                    }
                }
                if (System.nanoTime() - nextLook >= 0) {
                    nextLook += 1_000_000_000L;
                    String jmx = mbeans.isRegistered(name) ? String.valueOf(mbeans.getAttribute(name, "WarningLevel")) : "-";
                    System.out.println("exports jmx=" + jmx + " prometheus=" + scrape(metricsPort, label));
                }
            }
        }
    }

    /** The value of {@code churn_agent_warning_level} for {@code label}, or {@code -}. */
    private static String scrape(int port, String label) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String body = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String prefix = "churn_agent_warning_level{destination=\"" + label + "\"";
            for (String line : body.split("\n")) {
                if (line.startsWith(prefix)) {
                    return line.substring(line.lastIndexOf(' ') + 1).trim();
                }
            }
            return "-";
        } catch (Exception e) {
            return "-";
        }
    }

    private static void serve(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(1); // and close first
            } catch (Exception e) {
                if (!server.isClosed()) {
                    System.out.println("server: " + e);
                }
            }
        }
    }
}
