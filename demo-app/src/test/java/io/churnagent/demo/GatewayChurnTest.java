package io.churnagent.demo;

import static io.churnagent.junit.ChurnAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.churnagent.junit.ChurnBudget;
import io.churnagent.junit.ChurnCheck;
import io.churnagent.junit.ChurnExtension;
import io.churnagent.junit.NoClientPerRequest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo's gateway under churn-agent-junit (the agent is loaded into this test JVM by the
 * extension): pooled, it keeps its churn budget; churning, the check names the line that builds
 * the client per request.
 */
@ExtendWith(ChurnExtension.class)
class GatewayChurnTest {

    private static final int QUOTES = 50;
    private static Backends backends;

    @BeforeAll
    static void startBackends() throws Exception {
        backends = Backends.start();
    }

    @AfterAll
    static void stopBackends() {
        backends.close();
    }

    @Test
    @NoClientPerRequest
    @ChurnBudget(connectionsPerRequest = 0.1)
    void thePooledGatewayKeepsItsChurnBudget(ChurnCheck churn) throws Exception {
        quotes(DemoOptions.Mode.POOLED);
        // each quote is served by the gateway and asks both backends: three requests, over a few kept-alive connections
        assertEquals(3L * QUOTES, churn.requests(), churn.toString());
        assertThat(churn).connectionsTo(backends.inventoryUri().getAuthority()).isAtMost(Gateway.WORKER_THREADS); // at most one per gateway worker
    }

    @Test
    void theChurningGatewayIsCaughtAtTheLineThatBuildsItsClient(ChurnCheck churn) throws Exception {
        quotes(DemoOptions.Mode.CHURN);
        assertEquals(QUOTES, churn.connectionsTo(backends.inventoryUri().getAuthority()), churn.toString());
        AssertionError failure = assertThrows(AssertionError.class, churn::assertNoClientPerRequest);
        String text = failure.getMessage();
        assertTrue(text.contains("event=client_per_request") && text.contains("family=jdk-httpclient")
                && text.contains("site=io.churnagent.demo.JdkHttpClientCalls.newClient(JdkHttpClientCalls.java:")
                && text.contains("at io.churnagent.demo.Gateway.handleQuote(")
                && text.contains("Fix: build one HttpClient at startup and share it"), text);
        assertThrows(AssertionError.class, () -> churn.assertConnectionsPerRequestAtMost(0.1, ""));
    }

    private static void quotes(DemoOptions.Mode mode) throws Exception {
        BackendCalls calls = BackendCalls.create(mode, DemoOptions.ClientKind.JDK);
        try (Gateway gateway = Gateway.start(0, calls, backends.uris(), new RunStats())) {
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < QUOTES; i++) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(gateway.quoteUri()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), response.body());
            }
        }
    }
}
