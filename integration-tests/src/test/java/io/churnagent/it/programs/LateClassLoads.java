package io.churnagent.it.programs;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Runs the agent's late paths in an application that is past its own start: once the program has
 * opened one connection of its own (while the agent starts) and the agent has started, it loads
 * {@link Begin}, opens
 * {@code connections} more (the agent samples their call sites: stack captures) and waits
 * {@code waitSeconds} (run with {@code report.interval=1s}: reports, socket-table reads, decimals),
 * then loads {@link End}. Run with {@code -Xlog:class+load}: what the log shows between the two
 * marker classes was loaded by those paths.
 *
 * <p>Usage: {@code LateClassLoads <connections> <waitSeconds>}
 */
public final class LateClassLoads {

    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        int waitSeconds = Integer.parseInt(args[1]);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ServerSocket server = new ServerSocket(0, 200, loopback);
        Thread acceptor = new Thread(() -> {
            while (true) {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    in.readAllBytes();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        // the program's own first use of its paths, while the agent is still starting (it installs in the
        // background): so the agent's first capture comes after Begin
        connect(loopback, server.getLocalPort());
        AgentReady.await();
        // what the agent defers past its start: the platform MBean server and its MBean (registered on
        // the reporter thread right after the start), and the first evaluation ticks of its exports
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        ObjectName live = new ObjectName("io.churnagent:type=LiveReport");
        for (int i = 0; i < 600 && !mbeans.isRegistered(live); i++) {
            Thread.sleep(50);
        }
        Thread.sleep(2500);
        Begin.mark();
        for (int i = 0; i < connections; i++) {
            connect(loopback, server.getLocalPort());
            Thread.sleep(10);
        }
        Thread.sleep(waitSeconds * 1000L);
        End.mark();
        System.out.println("done");
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket s = new Socket(address, port)) {
            s.getOutputStream().write(1);
        }
    }

    /** Loaded when the late paths begin. */
    static final class Begin {
        static void mark() {
        }
    }

    /** Loaded when they have run. */
    static final class End {
        static void mark() {
        }
    }
}
