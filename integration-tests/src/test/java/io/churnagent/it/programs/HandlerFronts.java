package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * What {@link ClientFamilies} and {@link SpringAndAsyncClients} share: a backend per family that
 * answers {@code ok}, and two fronts whose request handlers call the family's client, a JDK
 * {@code HttpServer} handler and a Jetty 12 servlet, driven with a number of requests per family.
 * The tests find the handler frames by the {@code HANDLER:} markers in this file, so keep each on its line.
 */
public final class HandlerFronts {

    /** One request's backend call with the family's client: {@code ok}, or what went wrong. */
    interface Call {
        String call(String family) throws Exception;
    }

    private HandlerFronts() {
    }

    /** Starts an HTTP backend on loopback that answers {@code ok}; prints {@code backend <family> <port>}. */
    static URI okBackend(String family) throws IOException {
        URI backend = OkBackend.start();
        System.out.println("backend " + family + " " + backend.getPort());
        return backend;
    }

    /**
     * Starts both fronts, sends {@code requests} requests per family (those of {@code servletFamilies}
     * to the servlet, the others to the JDK server's handler, which runs on {@code jdkHandlers}), prints
     * {@code ok <family> <n>}, {@code done} and the bridges' faults, and exits after a few evaluations.
     */
    static void serveAndExit(List<String> families, List<String> servletFamilies, int requests,
                             ExecutorService jdkHandlers, Call call) throws Exception {
        HttpServer jdkFront = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        jdkFront.createContext("/", new JdkFront(call));
        jdkFront.setExecutor(jdkHandlers);
        jdkFront.start();

        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new ServletFront(call)), "/*");
        jetty.setHandler(context);
        jetty.start();

        HttpClient driver = HttpClient.newHttpClient();
        for (String family : families) {
            int port = servletFamilies.contains(family) ? connector.getLocalPort() : jdkFront.getAddress().getPort();
            int ok = 0;
            for (int i = 0; i < requests; i++) {
                HttpResponse<String> r = driver.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + family))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().equals("ok")) {
                    ok++;
                } else {
                    System.out.println("failed " + family + " " + r.statusCode() + " " + r.body());
                }
            }
            System.out.println("ok " + family + " " + ok);
        }
        System.out.println("done");
        BridgeFaults.print();
        Thread.sleep(1500); // a few evaluations (the test runs them every 200 ms) before the shutdown report
        System.exit(0);
    }

    /** The JDK server's handler. */
    static final class JdkFront implements HttpHandler {
        private final Call call;

        JdkFront(Call call) {
            this.call = call;
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            String family = exchange.getRequestURI().getPath().substring(1);
            String body;
            try {
                body = call.call(family); // HANDLER:jdk
            } catch (Exception e) {
                body = e.toString();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body.equals("ok") ? 200 : 500, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The Jetty servlet. */
    static final class ServletFront extends HttpServlet {
        private final transient Call call;

        ServletFront(Call call) {
            this.call = call;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String family = request.getRequestURI().substring(1);
            String body;
            try {
                body = call.call(family); // HANDLER:servlet
            } catch (Exception e) {
                body = e.toString();
            }
            response.setStatus(body.equals("ok") ? 200 : 500);
            response.getWriter().write(body);
        }
    }

    static ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        };
    }
}
