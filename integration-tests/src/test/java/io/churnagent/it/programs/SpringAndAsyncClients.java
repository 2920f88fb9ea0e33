package io.churnagent.it.programs;

import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

import java.net.URI;
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
 * ({@code HttpAsyncClients.createDefault()}) by a JDK {@code HttpServer} handler; {@code webclient-provider}
 * (a WebClient over a {@code ConnectionProvider} of its own, disposed after the request) by the servlet. Each family has its
 * own backend, printed as {@code backend <family> <port>}. The test finds the expected call sites by
 * the {@code SITE:} markers in this file, so keep each on its line (the handlers are
 * {@link HandlerFronts}' fronts).
 */
public final class SpringAndAsyncClients {

    static final List<String> SERVLET_FAMILIES = List.of("resttemplate", "webclient-builder", "apache5-async-custom",
            "webclient-provider");

    static boolean shared;
    static final Map<String, URI> backends = new LinkedHashMap<>();

    static RestTemplate sharedRestTemplate;
    static WebClient sharedWebClientBuilt;
    static WebClient sharedWebClientCreated;
    static WebClient sharedWebClientWithProvider;
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
            backends.put(family, HandlerFronts.okBackend(family));
        }
        if (shared) {
            sharedRestTemplate = new RestTemplate();
            sharedWebClientBuilt = WebClient.builder().build();
            sharedWebClientCreated = WebClient.create();
            sharedWebClientWithProvider = withProvider(reactor.netty.resources.ConnectionProvider.create("shared", 4));
            sharedAsync = HttpAsyncClients.createDefault();
            sharedAsync.start();
            sharedAsyncCustom = HttpAsyncClients.custom().build();
            sharedAsyncCustom.start();
        }

        HandlerFronts.serveAndExit(families, SERVLET_FAMILIES, requests,
                Executors.newFixedThreadPool(4, HandlerFronts.daemon()), SpringAndAsyncClients::call);
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
            case "webclient-provider":
                return webClientProvider(backend);
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

    /** A WebClient over a connection pool of its own: built per request, it opens (and here closes) its own connection. */
    static String webClientProvider(URI backend) {
        if (shared) {
            return get(sharedWebClientWithProvider, backend);
        }
        reactor.netty.resources.ConnectionProvider provider = reactor.netty.resources.ConnectionProvider.create("per-request", 1);
        try {
            return get(withProvider(provider), backend);
        } finally {
            provider.disposeLater().block(Duration.ofSeconds(10));
        }
    }

    private static WebClient withProvider(reactor.netty.resources.ConnectionProvider provider) {
        return WebClient.builder().clientConnector(new org.springframework.http.client.reactive.ReactorClientHttpConnector(
                reactor.netty.http.client.HttpClient.create(provider))).build(); // SITE:webclient-provider
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
}
