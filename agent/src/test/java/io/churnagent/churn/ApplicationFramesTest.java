package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Application frames are everything but the agent, the platform and the listed libraries. */
class ApplicationFramesTest {

    @Test
    void theAgentThePlatformAndKnownLibrariesAreNotTheApplication() {
        for (String name : new String[] {"java.net.Socket", "javax.servlet.http.HttpServlet", "jdk.internal.net.http.X",
                "sun.nio.ch.SocketChannelImpl", "com.sun.net.httpserver.HttpServer", "jakarta.servlet.Servlet",
                "io.churnagent.churn.ClientSiteRecorder", "io.churnagent.shaded.bytebuddy.X", "io.churnagent.AgentMain",
                "io.churnagent.AgentLifecycle$1", "org.springframework.web.client.RestTemplate", "okhttp3.OkHttpClient",
                "io.netty.bootstrap.Bootstrap", "ch.qos.logback.classic.Logger", "com.zaxxer.hikari.HikariDataSource",
                "reactor.netty.http.client.HttpClient", "org.apache.hc.client5.http.impl.classic.CloseableHttpClient",
                "redis.clients.jedis.Jedis", "io.lettuce.core.RedisClient", "io.grpc.internal.ManagedChannelImplBuilder",
                "io.grpc.netty.shaded.io.netty.channel.epoll.AbstractEpollChannel", "software.amazon.awssdk.core.X",
                "com.mongodb.client.MongoClients", "org.elasticsearch.client.RestClient", "io.vertx.ext.web.client.WebClient",
                "org.apache.maven.surefire.booter.ForkedBooter"}) {
            assertFalse(ApplicationFrames.isApplication(name), name);
        }
        assertFalse(ApplicationFrames.isApplication(null));
    }

    @Test
    void everythingElseIsTheApplication() {
        for (String name : new String[] {"com.example.Api", "io.churnagent.demo.DemoApp", "io.churnagent.it.programs.X",
                "org.example.Handler", "Main", "", "éclair.Main", "iox.Foo", "javafoo.Bar", "orgx.Y"}) {
            assertTrue(ApplicationFrames.isApplication(name), name);
        }
    }

    @Test
    void ownPackagesComeFromTheMainClassTheHandlerAndTheOption() {
        try {
            ApplicationFrames.setOwnPackages("com.acme.orders.Main", java.util.List.of("org.example.billing"));
            assertEquals(java.util.List.of("com.acme.", "org.example.billing."), ApplicationFrames.ownPackages());
            assertTrue(ApplicationFrames.isOwn("com.acme.web.Api", null), "the main class's first two name parts");
            assertTrue(ApplicationFrames.isOwn("org.example.billing.Invoice", null));
            assertFalse(ApplicationFrames.isOwn("org.example.other.X", null));
            assertFalse(ApplicationFrames.isOwn("com.acmex.Y", null), "a prefix ends at a dot");
            assertTrue(ApplicationFrames.isOwn("net.shop.cart.Cart", "net.shop.web.CartServlet"), "the handler's root");
            assertFalse(ApplicationFrames.isOwn("net.shopx.Cart", "net.shop.web.CartServlet"));
            assertTrue(ApplicationFrames.isOwn("app.Job", "app.Handler"), "a one-part package is its own root");
            assertFalse(ApplicationFrames.isOwn("Job", "Handler"), "the default package has no root");

            // a launcher's or test runner's main class says nothing about the application
            ApplicationFrames.setOwnPackages("org.apache.maven.surefire.booter.ForkedBooter", java.util.List.of());
            assertEquals(java.util.List.of(), ApplicationFrames.ownPackages());
            ApplicationFrames.setOwnPackages("Main", java.util.List.of());
            assertEquals(java.util.List.of(), ApplicationFrames.ownPackages());
        } finally {
            ApplicationFrames.setOwnPackages(null, java.util.List.of());
        }
    }
}
