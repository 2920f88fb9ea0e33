package example.spring;

import io.churnagent.junit.ChurnBudget;
import io.churnagent.junit.ChurnCheck;
import io.churnagent.junit.NoClientPerRequest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code @SpringBootTest}s with a real embedded Tomcat, run by the extension's own tests through the test kit. */
public final class SpringFixtures {

    /** Quotes each test asks for. */
    public static final int QUOTES = 50;

    private SpringFixtures() {
    }

    static void quotes(int port) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < QUOTES; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/quote")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("quote 42", r.body());
        }
    }

    /** The defect: must fail, naming the controller's line. */
    @SpringBootTest(classes = QuoteApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = "shop.client-per-request=true")
    @NoClientPerRequest
    @ChurnBudget(connectionsPerRequest = 0.1)
    public static class ClientPerRequest {
        @LocalServerPort
        int port;

        @Test
        void quotes() throws Exception {
            SpringFixtures.quotes(port);
        }
    }

    /** The fix: must pass. */
    @SpringBootTest(classes = QuoteApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
    @NoClientPerRequest
    @ChurnBudget(connectionsPerRequest = 0.1)
    public static class SharedClient {
        @LocalServerPort
        int port;

        @Test
        void quotes(ChurnCheck churn) throws Exception {
            SpringFixtures.quotes(port);
            assertEquals(2L * QUOTES, churn.requests(), churn.toString());
            System.out.println("churn-fixture " + churn);
        }
    }
}
