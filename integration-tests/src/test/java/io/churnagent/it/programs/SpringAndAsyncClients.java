package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small service whose handlers call a backend with Spring's clients and Apache's async client,
 * building the client per request ({@code per-request}) or using one built at start-up
 * ({@code shared}).
 *
 * <p>Arguments: {@code mode requests family,family,...}. Families: {@code resttemplate}
 * ({@code new RestTemplate()}), {@code webclient-builder} ({@code WebClient.builder().build()}) and
 * {@code apache5-async-custom} ({@code HttpAsyncClients.custom().build()}) are served by a Jetty 12
 * servlet; {@code webclient-create} ({@code WebClient.create()}) and {@code apache5-async}
 * ({@code HttpAsyncClients.createDefault()}) by a JDK {@code HttpServer} handler. Each family has its
 * own backend, printed as {@code backend <family> <port>}. The test finds the expected call sites by
 * the {@code SITE:} and {@code HANDLER:} markers in this file, so keep each on its line.
 */
public final class SpringAndAsyncClients {

    static final List<String> SERVLET_FAMILIES = List.of("resttemplate", "webclient-builder", "apache5-async-custom");

    static boolean shared;
    static final Map<String, URI> backends = new LinkedHashMap<>();

    static RestTemplate sharedRestTemplate;
    static WebClient sharedWebClientBuilt;
    static WebClient sharedWebClientCreated;
    static CloseableHttpAsyncClient sharedAsync;
    static CloseableHttpAsyncClient sharedAsyncCustom;

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.exit(1); // the servers' threads would keep a failed run alive until the test's timeout
        }
    }

    private static void run(String[] args) throws Exception {
        shared = args[0].equals("shared");
        int requests = Integer.parseInt(args[1]);
        List<String> families = List.of(args[2].split(","));

        for (String family : families) {
            HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
            backend.createContext("/", SpringAndAsyncClients::ok);
            backend.setExecutor(Executors.newFixedThreadPool(4, daemon()));
            backend.start();
            backends.put(family, URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/"));
            System.out.println("backend " + family + " " + backend.getAddress().getPort());
        }
        if (shared) {
            sharedRestTemplate = new RestTemplate();
            sharedWebClientBuilt = WebClient.builder().build();
            sharedWebClientCreated = WebClient.create();
            sharedAsync = HttpAsyncClients.createDefault();
            sharedAsync.start();
            sharedAsyncCustom = HttpAsyncClients.custom().build();
            sharedAsyncCustom.start();
        }

        HttpServer jdkFront = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        jdkFront.createContext("/", new JdkFront());
        jdkFront.setExecutor(Executors.newFixedThreadPool(4, daemon()));
        jdkFront.start();

        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(ServletFront.class, "/*");
        jetty.setHandler(context);
        jetty.start();

        HttpClient driver = HttpClient.newHttpClient();
        for (String family : families) {
            int port = SERVLET_FAMILIES.contains(family) ? connector.getLocalPort() : jdkFront.getAddress().getPort();
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
        @Override
        public void handle(HttpExchange exchange) throws IOException {
            String family = exchange.getRequestURI().getPath().substring(1);
            String body;
            try {
                body = call(family); // HANDLER:jdk
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
    public static final class ServletFront extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String family = request.getRequestURI().substring(1);
            String body;
            try {
                body = call(family); // HANDLER:servlet
            } catch (Exception e) {
                body = e.toString();
            }
            response.setStatus(body.equals("ok") ? 200 : 500);
            response.getWriter().write(body);
        }
    }

    static String call(String family) throws Exception {
        URI backend = backends.get(family);
        switch (family) {
            case "resttemplate":
                return restTemplate(backend);
            case "webclient-builder":
                return webClientBuilder(backend);
            case "webclient-create":
                return webClientCreate(backend);
            case "apache5-async":
                return apacheAsync(backend);
            case "apache5-async-custom":
                return apacheAsyncCustom(backend);
            default:
                throw new IllegalArgumentException(family);
        }
    }

    static String restTemplate(URI backend) {
        RestTemplate client = shared ? sharedRestTemplate : new RestTemplate(); // SITE:resttemplate
        return client.getForObject(backend, String.class);
    }

    static String webClientBuilder(URI backend) {
        WebClient client = shared ? sharedWebClientBuilt : WebClient.builder().build(); // SITE:webclient-builder
        return get(client, backend);
    }

    static String webClientCreate(URI backend) {
        WebClient client = shared ? sharedWebClientCreated : WebClient.create(); // SITE:webclient-create
        return get(client, backend);
    }

    private static String get(WebClient client, URI backend) {
        return client.get().uri(backend).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
    }

    static String apacheAsync(URI backend) throws Exception {
        CloseableHttpAsyncClient client = shared ? sharedAsync : HttpAsyncClients.createDefault(); // SITE:apache5-async
        return execute(client, backend);
    }

    static String apacheAsyncCustom(URI backend) throws Exception {
        CloseableHttpAsyncClient client = shared ? sharedAsyncCustom
                : HttpAsyncClients.custom().build(); // SITE:apache5-async-custom
        return execute(client, backend);
    }

    private static String execute(CloseableHttpAsyncClient client, URI backend) throws Exception {
        if (!shared) {
            client.start();
        }
        try {
            SimpleHttpRequest request = SimpleRequestBuilder.get(backend).build();
            SimpleHttpResponse response = client.execute(request, null).get(10, TimeUnit.SECONDS);
            return response.getBodyText();
        } finally {
            if (!shared) {
                client.close(); // graceful: waits for the I/O reactor, which closes the connection
            }
        }
    }

    private static void ok(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
        }
        byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        };
    }
}
