package io.churnagent.it.programs;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * A service with its own request loop, unknown to the agent: a plain {@code ServerSocket} accept
 * loop hands each connection to {@link Handler#serve}, which builds a JDK {@code HttpClient} per
 * request to call a backend. Only {@code handlers=io.churnagent.it.programs.OwnRequestLoop$Handler#serve}
 * tells the agent that {@code serve} handles requests.
 *
 * <p>Prints {@code ready}; then reads commands from stdin: {@code serve N} sends N requests through
 * the loop and prints {@code served N ok=<n>}. The test finds the expected frames by the
 * {@code SITE:} and {@code HANDLER:} markers in this file, so keep each on its line.
 */
public final class OwnRequestLoop {

    static URI backend;

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        backend = OkBackend.start();

        ServerSocket front = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread loop = new Thread(() -> acceptLoop(front), "request-loop");
        loop.setDaemon(true);
        loop.start();
        System.out.println("ready");

        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = commands.readLine()) != null; ) {
            if (line.startsWith("serve ")) {
                int n = Integer.parseInt(line.substring(6).trim());
                int ok = 0;
                for (int i = 0; i < n; i++) {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), front.getLocalPort());
                         BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                        s.getOutputStream().write("request\n".getBytes(StandardCharsets.UTF_8));
                        if ("ok".equals(in.readLine())) {
                            ok++;
                        }
                    }
                }
                System.out.println("served " + n + " ok=" + ok);
            } else if (line.equals("exit")) {
                break;
            }
        }
        System.exit(0);
    }

    /** The application's own loop: one request per connection, handled on this thread. */
    private static void acceptLoop(ServerSocket front) {
        Handler handler = new Handler();
        while (true) {
            try (Socket s = front.accept()) {
                handler.serve(s);
            } catch (Exception e) {
                System.out.println("request failed: " + e);
            }
        }
    }

    /** The request handler the test names in {@code handlers=}. */
    public static final class Handler {
        void serve(Socket s) throws Exception {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            in.readLine();
            String body = fetch(); // HANDLER:own
            PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
            out.println(body);
        }

        private String fetch() throws Exception {
            HttpClient client = HttpClient.newHttpClient(); // SITE:own
            return client.send(HttpRequest.newBuilder(backend).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
