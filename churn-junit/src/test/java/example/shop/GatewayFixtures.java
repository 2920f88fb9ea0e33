package example.shop;

import io.churnagent.junit.ChurnBudget;
import io.churnagent.junit.ChurnCheck;
import io.churnagent.junit.NoClientPerRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Test classes that the extension's own tests run through the JUnit test kit: a user's tests of the
 * {@link Gateway}, one set against a client per request, one against a shared client.
 */
public final class GatewayFixtures {

    /** Requests each test sends through one shared client of its own. */
    public static final int REQUESTS = 100;

    private GatewayFixtures() {
    }

    static void send(Gateway gateway, int n) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(gateway.quoteUri()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("quote 42", response.body());
        }
    }

    /** The defect: the gateway builds an HttpClient in its handler. Both tests must fail. */
    @NoClientPerRequest
    public static class ClientPerRequest {
        static Gateway gateway;

        @BeforeAll
        static void start() throws Exception {
            gateway = new Gateway(true);
        }

        @AfterAll
        static void stop() {
            gateway.close();
        }

        @Test
        void quotes() throws Exception {
            send(gateway, REQUESTS);
        }

        @Test
        @ChurnBudget(connectionsPerRequest = 0.1)
        void quotesWithinABudget(ChurnCheck churn) throws Exception {
            send(gateway, REQUESTS);
            System.out.println("churn-fixture " + churn);
        }
    }

    /** The fix: one shared client. Both tests must pass, and the figures say why. */
    @NoClientPerRequest
    public static class SharedClient {
        static Gateway gateway;

        @BeforeAll
        static void start() throws Exception {
            gateway = new Gateway(false);
        }

        @AfterAll
        static void stop() {
            gateway.close();
        }

        @Test
        @ChurnBudget(connectionsPerRequest = 0.1)
        void quotesWithinABudget(ChurnCheck churn) throws Exception {
            send(gateway, REQUESTS);
            // what the test itself sees: 100 quotes and 100 prices served, a few keep-alive connections
            assertEquals(2L * REQUESTS, churn.requests(), churn.toString());
            System.out.println("churn-fixture " + churn);
        }
    }
}
