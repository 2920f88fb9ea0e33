package io.churnagent.it.programs;


import java.io.IOException;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small service whose request handlers call a backend with one client family each, building the
 * client per request ({@code per-request}) or using one built at start-up ({@code shared}); the
 * OkHttp family {@code okhttp-derived} always derives its client with {@code newBuilder()} from a
 * shared one, which shares its pool.
 *
 * <p>Arguments: {@code mode requests family,family,...}. Families {@code jdk} and {@code socket} are
 * served by a JDK {@code HttpServer} handler (on virtual threads on JDK 21+), the others by a
 * Jetty 12 servlet. Each family has its own backend (an HTTP server, or H2 in TCP server mode for
 * {@code jdbc}), printed as {@code backend <family> <port>}. The test finds the expected call sites
 * by the {@code SITE:} markers in this file, so keep each on its line (the handlers are
 * {@link HandlerFronts}' fronts).
 */
public final class ClientFamilies {

    static final List<String> SERVLET_FAMILIES = List.of("apache4", "apache5", "okhttp", "okhttp-derived", "jetty", "jdbc");

    static boolean shared;
    static final Map<String, URI> backends = new LinkedHashMap<>();
    static String jdbcUrl;

    static HttpClient sharedJdk;
    static org.apache.http.impl.client.CloseableHttpClient sharedApache4;
    static org.apache.hc.client5.http.impl.classic.CloseableHttpClient sharedApache5;
    static okhttp3.OkHttpClient sharedOkHttp;
    static org.eclipse.jetty.client.HttpClient sharedJetty;
    static Connection sharedJdbc;

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        shared = args[0].equals("shared");
        int requests = Integer.parseInt(args[1]);
        List<String> families = List.of(args[2].split(","));

        for (String family : families) {
            if (family.equals("jdbc")) {
                int port = freePort();
                org.h2.tools.Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists").start();
                jdbcUrl = "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:churn";
                System.out.println("backend jdbc " + port);
            } else {
                backends.put(family, HandlerFronts.okBackend(family));
            }
        }
        buildSharedClients(families);

        HandlerFronts.serveAndExit(families, SERVLET_FAMILIES, requests, handlerExecutor(), ClientFamilies::call);
    }

    static String call(String family) throws Exception {
        switch (family) {
            case "jdk":
                return jdk(backends.get(family));
            case "socket":
                return socket(backends.get(family));
            case "apache4":
                return apache4(backends.get(family));
            case "apache5":
                return apache5(backends.get(family));
            case "okhttp":
                return okhttp(backends.get(family));
            case "okhttp-derived":
                return okhttpDerived(backends.get(family));
            case "jetty":
                return jetty(backends.get(family));
            case "jdbc":
                return jdbc();
            default:
                throw new IllegalArgumentException(family);
        }
    }

    static String jdk(URI backend) throws Exception {
        HttpClient client = shared ? sharedJdk : HttpClient.newHttpClient(); // SITE:jdk
        return client.send(HttpRequest.newBuilder(backend).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A raw socket per request: no client hook, so only the connect sampling can name this line. */
    static String socket(URI backend) throws Exception {
        try (Socket s = new Socket(backend.getHost(), backend.getPort())) { // SITE:socket
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return response.endsWith("ok") ? "ok" : response;
        }
    }

    static String apache4(URI backend) throws Exception {
        org.apache.http.impl.client.CloseableHttpClient client = shared ? sharedApache4
                : org.apache.http.impl.client.HttpClients.createDefault(); // SITE:apache4
        try (org.apache.http.client.methods.CloseableHttpResponse r = client.execute(new org.apache.http.client.methods.HttpGet(backend))) {
            return org.apache.http.util.EntityUtils.toString(r.getEntity());
        } finally {
            if (!shared) {
                client.close();
            }
        }
    }

    static String apache5(URI backend) throws Exception {
        org.apache.hc.client5.http.impl.classic.CloseableHttpClient client = shared ? sharedApache5
                : org.apache.hc.client5.http.impl.classic.HttpClients.createDefault(); // SITE:apache5
        try (org.apache.hc.client5.http.impl.classic.CloseableHttpResponse r = client.execute(
                new org.apache.hc.client5.http.classic.methods.HttpGet(backend))) {
            return org.apache.hc.core5.http.io.entity.EntityUtils.toString(r.getEntity());
        } finally {
            if (!shared) {
                client.close();
            }
        }
    }

    static String okhttp(URI backend) throws Exception {
        okhttp3.OkHttpClient client = shared ? sharedOkHttp : new okhttp3.OkHttpClient(); // SITE:okhttp
        try (okhttp3.Response r = client.newCall(new okhttp3.Request.Builder().url(backend.toString()).build()).execute()) {
            return r.body().string();
        } finally {
            if (!shared) {
                client.connectionPool().evictAll();
                client.dispatcher().executorService().shutdown();
            }
        }
    }

    /** Per request, but derived from the shared client: same pool, so not a new client. */
    static String okhttpDerived(URI backend) throws Exception {
        okhttp3.OkHttpClient client = sharedOkHttp.newBuilder()
                .readTimeout(java.time.Duration.ofSeconds(5)).build(); // SITE:okhttp-derived
        try (okhttp3.Response r = client.newCall(new okhttp3.Request.Builder().url(backend.toString()).build()).execute()) {
            return r.body().string();
        }
    }

    static String jetty(URI backend) throws Exception {
        org.eclipse.jetty.client.HttpClient client = shared ? sharedJetty : new org.eclipse.jetty.client.HttpClient(); // SITE:jetty
        if (!shared) {
            client.start();
        }
        try {
            return client.GET(backend).getContentAsString();
        } finally {
            if (!shared) {
                client.stop();
            }
        }
    }

    static String jdbc() throws Exception {
        if (shared) {
            synchronized (ClientFamilies.class) {
                return query(sharedJdbc);
            }
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl, "sa", "")) { // SITE:jdbc
            return query(c);
        }
    }

    private static String query(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 'ok'")) {
            r.next();
            return r.getString(1);
        }
    }

    private static void buildSharedClients(List<String> families) throws Exception {
        sharedOkHttp = new okhttp3.OkHttpClient(); // the base of okhttp-derived in both modes
        if (!shared) {
            return;
        }
        sharedJdk = HttpClient.newHttpClient();
        sharedApache4 = org.apache.http.impl.client.HttpClients.createDefault();
        sharedApache5 = org.apache.hc.client5.http.impl.classic.HttpClients.createDefault();
        sharedJetty = new org.eclipse.jetty.client.HttpClient();
        sharedJetty.start();
        if (families.contains("jdbc")) {
            sharedJdbc = DriverManager.getConnection(jdbcUrl, "sa", "");
        }
    }

    /** Virtual threads where the JDK has them (21+), so the handler context is proven on them too. */
    private static ExecutorService handlerExecutor() {
        try {
            Method virtual = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            System.out.println("handler threads: virtual");
            return (ExecutorService) virtual.invoke(null);
        } catch (NoSuchMethodException e) {
            System.out.println("handler threads: platform");
            return Executors.newFixedThreadPool(4, HandlerFronts.daemon());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
