package io.churnagent.instrument;

import io.churnagent.bootstrap.ClientBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

/**
 * Hooks the places where HTTP clients, connection pools and database connections are created, by
 * class name only (a library that is absent costs one string comparison per class load);
 * stateless.
 *
 * <p>Where a library lets a new client share an existing pool, the pool decides: an
 * {@code OkHttpClient} is reported with its {@code connectionPool}, and one whose pool was seen before
 * ({@code client.newBuilder().build()}) is not a new client; for Apache the connection managers are
 * hooked (which {@code HttpClientBuilder.build()} and
 * {@code HttpClients.create*()} make unless given a shared one). Nested constructors and builders
 * count once: {@link ClientBridge} keeps a per-thread depth.
 */
public final class ClientConstructionInstrumentation {

    /** One hooked type: its constructors, or its methods of one name. */
    static final class Hook {
        final String type;
        final String method; // null: constructors
        final String family;
        final boolean relocatable; // also woven in copies that libraries shade under a prefix of their own

        Hook(String type, String method, String family) {
            this(type, method, family, false);
        }

        Hook(String type, String method, String family, boolean relocatable) {
            this.type = type;
            this.method = method;
            this.family = family;
            this.relocatable = relocatable;
        }
    }

    /**
     * The family of hooks that mark a library's own internal construction: the clients built inside
     * them are the library's pool filling up or its transport connecting, not the application's
     * choice, so they are not reported (the bridge's depth count swallows them).
     */
    static final String INTERNAL = ClientBridge.INTERNAL;

    static final List<Hook> HOOKS = List.of(
            new Hook("jdk.internal.net.http.HttpClientBuilderImpl", "build", "jdk-httpclient"),
            new Hook("org.apache.http.impl.conn.PoolingHttpClientConnectionManager", null, "apache-httpclient4"),
            new Hook("org.apache.http.impl.conn.BasicHttpClientConnectionManager", null, "apache-httpclient4"),
            new Hook("org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager", null, "apache-httpclient5"),
            new Hook("org.apache.hc.client5.http.impl.io.BasicHttpClientConnectionManager", null, "apache-httpclient5"),
            new Hook("org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager", null, "apache-httpclient5-async"),
            new Hook("okhttp3.OkHttpClient", null, "okhttp"),
            new Hook("org.eclipse.jetty.client.HttpClient", null, "jetty-httpclient"),
            new Hook("org.springframework.web.client.RestTemplate", null, "spring-resttemplate"),
            new Hook("org.springframework.web.reactive.function.client.DefaultWebClientBuilder", "build", "spring-webclient"),
            // Reactor Netty: HttpClient.create() wraps the global pool, create(provider) the given one. Not a
            // client of its own; inside a WebClient's build it names the pool the WebClient uses, so one built
            // per request over the global pool (WebClient.create()) is not a new client: it opens no connection
            new Hook("reactor.netty.http.client.HttpConnectionProvider", null, INTERNAL),
            new Hook("io.netty.bootstrap.Bootstrap", null, "netty-bootstrap", true),
            // Netty's DNS resolver makes a Bootstrap per event loop for its queries (Lettuce, Reactor Netty use it)
            new Hook("io.netty.resolver.dns.DnsNameResolver", null, INTERNAL, true),
            new Hook("java.sql.DriverManager", "getConnection", "jdbc"),
            // gRPC: every channel builder (ManagedChannelBuilder.forAddress/forTarget, NettyChannelBuilder,
            // OkHttpChannelBuilder) builds through ManagedChannelImplBuilder; its transports make a Netty
            // Bootstrap per connection, which is the channel's own business
            new Hook("io.grpc.internal.ManagedChannelImplBuilder", "build", "grpc"),
            new Hook("io.grpc.netty.NettyClientTransport", "start", INTERNAL, true),
            // Lettuce: RedisClient and RedisClusterClient; each connect() makes a Netty Bootstrap
            new Hook("io.lettuce.core.AbstractRedisClient", null, "lettuce"),
            new Hook("io.lettuce.core.AbstractRedisClient", "connectionBuilder", INTERNAL),
            // Jedis: a Jedis of its own, not one a JedisPool makes; a pool (JedisPool, JedisPooled) per request too
            new Hook("redis.clients.jedis.Jedis", null, "jedis"),
            new Hook("redis.clients.jedis.JedisFactory", "makeObject", INTERNAL),
            new Hook("redis.clients.jedis.ConnectionFactory", "makeObject", INTERNAL),
            new Hook("redis.clients.jedis.JedisPool", null, "jedis-pool"),
            new Hook("redis.clients.jedis.UnifiedJedis", null, "jedis-pool"),
            // AWS SDK v2: *Client.create() and *Client.builder()...build() all end in SdkDefaultClientBuilder.build()
            new Hook("software.amazon.awssdk.core.client.builder.SdkDefaultClientBuilder", "build", "aws-sdk-v2"),
            new Hook("com.mongodb.client.MongoClients", "create", "mongodb"),
            new Hook("org.elasticsearch.client.RestClientBuilder", "build", "elasticsearch-restclient"),
            new Hook("io.vertx.ext.web.client.WebClient", "create", "vertx-webclient"));

    private ClientConstructionInstrumentation() {
    }

    /**
     * Adds one weaving per hook (two hooks of one class, constructors and a method, weave together);
     * each hook's advice is made when its class loads.
     */
    static void addTo(Weavings weavings) {
        for (Hook hook : HOOKS) {
            BuiltOnFirstUse visitor = new BuiltOnFirstUse(() -> visitor(hook));
            if (hook.relocatable) {
                weavings.relocatable(hook.type, type -> visitor.get());
            } else {
                weavings.name(hook.type, visitor);
            }
        }
    }

    static AsmVisitorWrapper visitor(Hook hook) {
        Advice.WithCustomMapping mapping = Advice.withCustomMapping().bind(ClientFamily.class, hook.family);
        if (hook.type.equals("okhttp3.OkHttpClient")) {
            return new AsmVisitorWrapper.ForDeclaredMethods().constructor(isConstructor(),
                    mapping.to(OkHttpClientAdvice.class));
        }
        if (hook.type.equals("reactor.netty.http.client.HttpConnectionProvider")) {
            return new AsmVisitorWrapper.ForDeclaredMethods().constructor(isConstructor(),
                    mapping.to(ReactorProviderAdvice.class));
        }
        if (hook.type.equals("jdk.internal.net.http.HttpClientBuilderImpl")) {
            return new AsmVisitorWrapper.ForDeclaredMethods().method(
                    isMethod().and(named(hook.method)).and(not(isAbstract())), mapping.to(ReturnedClientAdvice.class));
        }
        if (hook.type.equals("io.netty.bootstrap.Bootstrap")) { // and its relocated copies (gRPC's, ...)
            // the public constructor only: clone() copies a Bootstrap onto the same event loop group,
            // and Netty's SimpleChannelPool clones its Bootstrap for every connection it adds
            return new AsmVisitorWrapper.ForDeclaredMethods().constructor(isConstructor().and(takesNoArguments()),
                    mapping.to(ConstructorAdvice.class));
        }
        if (hook.method == null) {
            return new AsmVisitorWrapper.ForDeclaredMethods().constructor(isConstructor(),
                    mapping.to(ConstructorAdvice.class));
        }
        // static or not, and in an interface too (Vert.x's WebClient.create is a static interface method)
        return new AsmVisitorWrapper.ForDeclaredMethods().method(
                isMethod().and(named(hook.method)).and(not(isAbstract())), mapping.to(MethodAdvice.class));
    }

    /** Around a constructor: constructor advice cannot observe a throw, see {@link ClientBridge}. */
    public static final class ConstructorAdvice {

        private ConstructorAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static int onEnter(@ClientFamily String family) {
            return ClientBridge.constructionEnter(family);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void onExit(@Advice.Enter int entered, @ClientFamily String family) {
            ClientBridge.constructionExit(entered, family, null);
        }
    }

    /**
     * Around {@code OkHttpClient}'s constructors: reports the pool (the {@code connectionPool} field
     * in OkHttp 3 and 4), because {@code newBuilder().build()} makes a new client on the same pool.
     */
    public static final class OkHttpClientAdvice {

        private OkHttpClientAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static int onEnter() {
            return ClientBridge.constructionEnter();
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void onExit(@Advice.Enter int entered, @ClientFamily String family,
                           @Advice.FieldValue("connectionPool") Object pool) {
            ClientBridge.constructionExit(entered, family, null, pool);
        }
    }

    /**
     * Around Reactor Netty's {@code HttpConnectionProvider} constructors ({@link ClientBridge#INTERNAL}):
     * names the pool it stands for ({@link ClientBridge#reactorPool}), the global one for
     * {@code HttpClient.create()}, to the construction around it.
     */
    public static final class ReactorProviderAdvice {

        private ReactorProviderAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static int onEnter(@ClientFamily String family) {
            return ClientBridge.constructionEnter(family);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void onExit(@Advice.Enter int entered, @ClientFamily String family,
                           @Advice.FieldValue("http1ConnectionProvider") Object provider) {
            ClientBridge.constructionExit(entered, family, null, ClientBridge.reactorPool(provider));
        }
    }

    /**
     * Around a builder method whose result names the client's threads: the JDK {@code HttpClient}
     * connects on threads named {@code HttpClient-<id>-...} that inherit nothing from the caller, and
     * its {@code toString()} ends with {@code (<id>)}.
     */
    public static final class ReturnedClientAdvice {

        private ReturnedClientAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static int onEnter() {
            return ClientBridge.constructionEnter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.Enter int entered, @ClientFamily String family, @Advice.Thrown Throwable thrown,
                           @Advice.Return(typing = net.bytebuddy.implementation.bytecode.assign.Assigner.Typing.DYNAMIC)
                           Object client) {
            ClientBridge.constructionExit(entered, family, thrown, client);
        }
    }

    /** Around a builder or factory method. */
    public static final class MethodAdvice {

        private MethodAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static int onEnter(@ClientFamily String family) {
            return ClientBridge.constructionEnter(family);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.Enter int entered, @ClientFamily String family, @Advice.Thrown Throwable thrown) {
            ClientBridge.constructionExit(entered, family, thrown);
        }
    }
}
