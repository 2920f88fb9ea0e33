package io.churnagent.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoAppTest {

    @Test
    void pooledModeServesTheLoadWithoutFailures() throws Exception {
        DemoOptions options = DemoOptions.parse("--mode=pooled", "--rps=25", "--duration=2");
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        DemoApp app = new DemoApp(options, new PrintStream(output, true, "UTF-8"));
        try {
            app.start();
            app.awaitEnd();
            app.stopLoad();
            app.printSummaryOnce();
        } finally {
            app.close();
        }

        RunStats stats = app.stats();
        // 2 s at 25/s is 50 requests; allow for a slow first request on a cold JVM.
        assertTrue(stats.requestsOk() >= 40, "ok=" + stats.requestsOk());
        assertEquals(0, stats.requestsFailed());
        assertEquals(0, stats.backendFailures());
        assertNull(stats.firstFailure());
        String printed = new String(output.toByteArray(), StandardCharsets.UTF_8);
        assertTrue(printed.contains("gateway:           http://127.0.0.1:"), printed);
        assertTrue(printed.contains("requests ok:      " + stats.requestsOk()), printed);
        assertTrue(printed.contains("first failure: none"), printed);
    }
}
