package io.churnagent.it.programs;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens {@code n} connections to its own loopback server, which closes each one first; the client
 * waits for each peer's FIN (read returns -1), then in mode {@code leak} never closes its end (each
 * socket stays in CLOSE_WAIT) and in mode {@code close} closes it (no CLOSE_WAIT). Prints
 * {@code ready port=P} before the first connection and {@code holding=N} once every FIN has arrived,
 * then stays up until its stdin ends or 120 s pass.
 *
 * <p>Usage: {@code CloseWaitHolder <leak|close> <n>}
 */
public final class CloseWaitHolder {

    public static void main(String[] args) throws Exception {
        AgentReady.await();
        boolean leak = args[0].equals("leak");
        int n = Integer.parseInt(args[1]);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ServerSocket server = new ServerSocket(0, n + 10, loopback);
        Thread acceptor = new Thread(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    server.accept().close(); // the server closes first
                }
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        System.out.println("ready port=" + server.getLocalPort());
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket(loopback, server.getLocalPort());
            clients.add(s);
        }
        for (Socket s : clients) {
            InputStream in = s.getInputStream();
            if (in.read() != -1) {
                throw new IllegalStateException("the server sent data instead of closing");
            }
            if (!leak) {
                s.close();
            }
        }
        System.out.println("holding=" + (leak ? n : 0));
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // until the test closes stdin or kills the program
                }
            } catch (Exception ignored) {
                // gone
            }
        }, "stdin");
        stdin.setDaemon(true);
        stdin.start();
        stdin.join(120_000);
        System.out.println("exiting, " + clients.size() + " clients");
    }
}
