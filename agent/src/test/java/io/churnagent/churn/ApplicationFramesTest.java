package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Application frames are everything but the agent, the platform and the listed libraries. */
class ApplicationFramesTest {

    @Test
    void theAgentThePlatformAndKnownLibrariesAreNotTheApplication() {
        for (String name : new String[] {"java.net.Socket", "javax.servlet.http.HttpServlet", "jdk.internal.net.http.X",
                "sun.nio.ch.SocketChannelImpl", "com.sun.net.httpserver.HttpServer", "jakarta.servlet.Servlet",
                "io.churnagent.churn.ClientSiteRecorder", "io.churnagent.shaded.bytebuddy.X", "io.churnagent.AgentMain",
                "io.churnagent.ActiveAgent$1", "org.springframework.web.client.RestTemplate", "okhttp3.OkHttpClient",
                "io.netty.bootstrap.Bootstrap", "ch.qos.logback.classic.Logger", "com.zaxxer.hikari.HikariDataSource",
                "reactor.netty.http.client.HttpClient", "org.apache.hc.client5.http.impl.classic.CloseableHttpClient"}) {
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
}
