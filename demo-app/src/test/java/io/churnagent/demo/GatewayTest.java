package io.churnagent.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GatewayTest {

    @Test
    void anUnreachableBackendGives502WithTheExceptionAndIsCounted() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort + "/inventory");
        RunStats stats = new RunStats();
        BackendCalls calls = BackendCalls.create(DemoOptions.Mode.CHURN, DemoOptions.ClientKind.SOCKET);
        try (Gateway gateway = Gateway.start(0, calls, Arrays.asList(nowhere, nowhere), stats)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(gateway.quoteUri()).GET().build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(502, response.statusCode());
            assertTrue(response.body().startsWith("java.net.ConnectException"), response.body());
            assertEquals(1, stats.backendFailures());
            assertNotNull(stats.firstFailure());
            assertTrue(stats.firstFailure().contains("java.net.ConnectException"), stats.firstFailure());
        }
    }
}
