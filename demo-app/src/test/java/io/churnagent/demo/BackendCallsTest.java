package io.churnagent.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackendCallsTest {

    private static Backends backends;

    @BeforeAll
    static void startBackends() throws Exception {
        backends = Backends.start();
    }

    @AfterAll
    static void stopBackends() {
        backends.close();
    }

    @ParameterizedTest
    @CsvSource({
        "CHURN, JDK", "POOLED, JDK",
        "CHURN, URLCONNECTION", "POOLED, URLCONNECTION",
        "CHURN, SOCKET", "POOLED, SOCKET",
    })
    void everyModeAndClientFetchesBothBodiesRepeatedly(DemoOptions.Mode mode, DemoOptions.ClientKind client)
            throws Exception {
        List<String> expected = Arrays.asList(
                "{\"sku\":\"A-100\",\"inStock\":42}", "{\"sku\":\"A-100\",\"price\":\"19.99\"}");
        try (BackendCalls calls = BackendCalls.create(mode, client)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(expected, calls.getAll(backends.uris()), mode + "/" + client + " call " + i);
            }
        }
    }
}
