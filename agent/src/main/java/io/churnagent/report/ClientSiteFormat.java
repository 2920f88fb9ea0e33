package io.churnagent.report;

import io.churnagent.log.LogEvent;
import io.churnagent.churn.ClientPerRequest;
import io.churnagent.churn.ClientSite;
import io.churnagent.churn.TrimmedStack;
import io.churnagent.churn.WarningLevel;

import java.util.List;
import java.util.Locale;

/**
 * Renders {@code event=client_per_request}: one call site builds clients inside request handlers
 * again and again; stateless and thread-safe.
 */
public final class ClientSiteFormat {

    private ClientSiteFormat() {
    }

    /** The event: its fields, the explanation, the first stack and the family's fix. */
    public static LogEvent clientPerRequest(ClientPerRequest e) {
        return clientPerRequest(e, -1);
    }

    /**
     * The event, with {@code client_threads=} the live threads of the family's clients (their threads
     * by name, see {@code ClientThreadFamilies}; -1: the family's threads are not known by name).
     */
    public static LogEvent clientPerRequest(ClientPerRequest e, int clientThreads) {
        ClientSite s = e.site();
        return clientPerRequest(s.family(), s.site(), s.handler(), s.stack().frames(), s.stack().omitted(),
                e.builtLastMinute(), e.builtTotal(), e.threshold(), clientThreads);
    }

    /** The event from its values: {@code frames} and {@code omitted} are the first stack's. */
    public static LogEvent clientPerRequest(String family, String site, String handler, List<String> frames,
                                            int omitted, long builtLastMinute, long builtTotal, int threshold,
                                            int clientThreads) {
        LogEvent line = LogEvent.of("client_per_request")
                .add("level", WarningLevel.WARN.label())
                .add("family", family)
                .add("site", site)
                .add("handler", handler)
                .add("built_60s", builtLastMinute)
                .add("built_total", builtTotal)
                .add("threshold", threshold);
        if (clientThreads >= 0) {
            line.add("client_threads", clientThreads);
        }
        line.explain(String.format(Locale.ROOT,
                "%s builds a new %s while serving requests: %d in the last minute, at %s. Each new client brings its "
                        + "own connections (or pool), so they are opened and closed per request instead of reused; "
                        + "every close leaves a port in TIME_WAIT for 60 s, and at production rates that exhausts the "
                        + "ephemeral ports of a destination.",
                handler, describe(family), builtLastMinute, site));
        if (clientThreads > 0) {
            line.explain(String.format(Locale.ROOT, "%d threads of such clients are alive now (%s); each client "
                    + "built and not closed keeps its own until it is closed or garbage collected.", clientThreads,
                    family.equals("jdk-httpclient") ? "HttpClient-N-SelectorManager, one per client" : "by thread name"));
        }
        line.explain("Stack of the first one:");
        frames(line, frames, omitted);
        return line.explain("Fix: " + fix(family));
    }

    /** A trimmed stack as sentences of {@code line}: {@code "    at <frame>"} each, then {@code "    ... N more"}. */
    public static LogEvent frames(LogEvent line, TrimmedStack stack) {
        return frames(line, stack.frames(), stack.omitted());
    }

    /** Frames as sentences of {@code line}, then {@code "    ... N more"} when {@code omitted} is positive. */
    public static LogEvent frames(LogEvent line, List<String> frames, int omitted) {
        for (String f : frames) {
            line.explain("    at " + f);
        }
        if (omitted > 0) {
            line.explain("    ... " + omitted + " more");
        }
        return line;
    }

    static String describe(String family) {
        switch (family) {
            case "jdk-httpclient":
                return "java.net.http.HttpClient";
            case "apache-httpclient4":
                return "Apache HttpClient 4 connection manager (HttpClientBuilder.build() or HttpClients.create*())";
            case "apache-httpclient5":
                return "Apache HttpClient 5 connection manager (HttpClientBuilder.build() or HttpClients.create*())";
            case "apache-httpclient5-async":
                return "Apache HttpAsyncClient 5 connection manager";
            case "okhttp":
                return "OkHttpClient with its own ConnectionPool";
            case "jetty-httpclient":
                return "Jetty HttpClient";
            case "spring-resttemplate":
                return "Spring RestTemplate";
            case "spring-webclient":
                return "Spring WebClient";
            case "netty-bootstrap":
                return "Netty Bootstrap";
            case "jdbc":
                return "JDBC connection through DriverManager.getConnection (no pool)";
            case "grpc":
                return "gRPC ManagedChannel (ManagedChannelBuilder/NettyChannelBuilder.build())";
            case "lettuce":
                return "Lettuce RedisClient (RedisClient.create)";
            case "jedis":
                return "Jedis connection of its own (new Jedis(...), outside a JedisPool)";
            case "jedis-pool":
                return "Jedis pool (new JedisPool/JedisPooled)";
            case "aws-sdk-v2":
                return "AWS SDK v2 client (*Client.create() or builder().build())";
            case "mongodb":
                return "MongoDB MongoClient (MongoClients.create)";
            case "elasticsearch-restclient":
                return "Elasticsearch RestClient (RestClient.builder().build())";
            case "vertx-webclient":
                return "Vert.x WebClient (WebClient.create)";
            default:
                return family + " client";
        }
    }

    /** The family's fix, one sentence (the warning's {@code Fix:} line without the word). */
    public static String fix(String family) {
        switch (family) {
            case "jdk-httpclient":
                return "build one HttpClient at startup and share it; it is thread-safe and pools its connections.";
            case "apache-httpclient4":
            case "apache-httpclient5":
            case "apache-httpclient5-async":
                return "build one client (with a PoolingHttpClientConnectionManager) at startup and share it; if you "
                        + "must build clients per request, give them one shared connection manager "
                        + "(setConnectionManagerShared(true)).";
            case "okhttp":
                return "share one OkHttpClient; for per-request settings use client.newBuilder()...build(), which "
                        + "shares the original connection pool.";
            case "jetty-httpclient":
                return "start one HttpClient at startup, share it and stop it at shutdown.";
            case "spring-resttemplate":
                return "make the RestTemplate a shared bean (RestTemplateBuilder once), backed by a pooled request factory.";
            case "spring-webclient":
                return "build one WebClient and share it; use mutate() for variants, which keeps the connector.";
            case "netty-bootstrap":
                return "keep one EventLoopGroup and reuse connections (a ChannelPool) instead of connecting per request.";
            case "jdbc":
                return "use a connection pool (a DataSource such as HikariCP) instead of DriverManager.getConnection per request.";
            case "grpc":
                return "build one ManagedChannel per target at startup and share it (it is thread-safe and multiplexes "
                        + "calls over one HTTP/2 connection); building a channel and calling shutdown() per request "
                        + "opens and closes a connection per request.";
            case "lettuce":
                return "create one RedisClient at startup and share one StatefulRedisConnection (both are thread-safe); "
                        + "RedisClient.create and shutdown() per request start and stop event loops and a connection each time.";
            case "jedis":
                return "borrow connections from one shared JedisPool (or use one JedisPooled) instead of new Jedis(...) per request.";
            case "jedis-pool":
                return "create the JedisPool (or JedisPooled) once at startup and share it; a pool per request is a connection per request.";
            case "aws-sdk-v2":
                return "build each AWS client once at startup and share it (SDK v2 clients are thread-safe and pool "
                        + "connections); close() them at shutdown, not per request.";
            case "mongodb":
                return "create one MongoClient at startup and share it (it is thread-safe and holds the connection pool).";
            case "elasticsearch-restclient":
                return "build one RestClient at startup and share it (it pools connections); close it at shutdown.";
            case "vertx-webclient":
                return "create one WebClient per Vertx instance at startup and share it; it pools connections.";
            default:
                return "create one long-lived client at startup and share it.";
        }
    }
}
