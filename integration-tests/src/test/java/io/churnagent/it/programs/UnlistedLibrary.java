package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpServer;
import org.example.vendorlib.VendorDb;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A gateway whose JDK HttpServer handler opens a connection per request through a library the agent
 * does not list ({@link VendorDb}), to a one-byte echo backend in the same program. Arguments:
 * {@code requests}; prints {@code port backend <port>} and {@code ok <n>}. The test finds the expected
 * site by the {@code SITE:} marker.
 */
public final class UnlistedLibrary {

    private UnlistedLibrary() {
    }

    public static void main(String[] args) throws Exception {
        int requests = Integer.parseInt(args[0]);
        AgentReady.await();
        ServerSocket backend = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread echo = new Thread(() -> {
            while (true) {
                try (Socket s = backend.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    int b = in.read();
                    out.write(b);
                    out.flush();
                    in.read(); // the client closes first: TIME_WAIT on its side, as with a real database
                } catch (Exception e) {
                    return;
                }
            }
        }, "echo-backend");
        echo.setDaemon(true);
        echo.start();
        System.out.println("port backend " + backend.getLocalPort());
        HttpServer gateway = Gateway.serve(() -> lookup(backend.getLocalPort()));
        Gateway.drive(gateway, requests, 10); // about 2 s: the agent evaluates every 200 ms
        gateway.stop(0);
        BridgeFaults.print();
    }

    static String lookup(int port) throws Exception {
        try (VendorDb db = VendorDb.open("127.0.0.1", port)) { // SITE:vendor
            return Integer.toString(db.ping());
        }
    }
}
