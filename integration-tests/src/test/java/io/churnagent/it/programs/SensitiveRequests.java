package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpServer;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;

/**
 * Requests URLs full of things that must never reach the agent's log: user info, a path, a query
 * string and header values. A new client per request inside a server handler (so the agent has call
 * sites and warnings to log) through HttpURLConnection and the JDK HttpClient; {@code N} of each.
 * Prints only {@code done N}. Args: N.
 */
public final class SensitiveRequests {

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        int n = Integer.parseInt(args[0]);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        HttpServer backend = HttpServer.create(new InetSocketAddress(loopback, 0), 50);
        backend.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Set-Cookie", "session=SECRET-cookie");
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes());
            exchange.close();
        });
        backend.start();
        int port = backend.getAddress().getPort();
        String url = "http://user:secret@127.0.0.1:" + port + "/private/path?token=SECRET";
        String basic = "Basic " + Base64.getEncoder().encodeToString("user:secret".getBytes());
        HttpServer front = HttpServer.create(new InetSocketAddress(loopback, 0), 50);
        front.createContext("/", exchange -> {
            try {
                HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
                c.setRequestProperty("Authorization", basic);
                c.setRequestProperty("X-Api-Key", "token-secret-value");
                c.setRequestProperty("Connection", "close");
                try (InputStream in = c.getInputStream()) {
                    in.readAllBytes();
                }
                HttpClient client = HttpClient.newHttpClient(); // one per request: what the agent warns about
                HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", basic)
                        .header("X-Api-Key", "token-secret-value").build();
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("status " + r.statusCode());
                }
                exchange.sendResponseHeaders(200, -1);
            } catch (Exception e) {
                exchange.sendResponseHeaders(500, -1);
            }
            exchange.close();
        });
        front.start();
        for (int i = 0; i < n; i++) {
            HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + front.getAddress().getPort()
                    + "/").openConnection();
            c.setRequestProperty("Connection", "close");
            if (c.getResponseCode() != 200) {
                System.out.println("failed request " + i);
                System.exit(1);
            }
            c.disconnect();
        }
        // a periodic report and the warnings after the last request; a warning needs 2 s of the
        // destination's history, which a fast machine's requests alone may not give
        Thread.sleep(2500);
        System.out.println("done " + n);
        front.stop(0);
        backend.stop(0);
    }
}
