package io.churnagent.export.otel;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The instrument table of docs/EXPORTS.md ("Churn figures as OpenTelemetry metrics") lists exactly the
 * instruments {@link OtelInstrument} registers, in order, with their kind and unit.
 */
class OtelInstrumentTableTest {

    @Test
    void theExportsPageListsEveryInstrumentWithItsKindAndUnit() throws Exception {
        Path readme = Paths.get("..", "docs", "EXPORTS.md");
        String text = Files.readString(readme);
        int start = text.indexOf("## Churn figures as OpenTelemetry metrics");
        assertTrue(start >= 0, "docs/EXPORTS.md has the OpenTelemetry metrics section");
        List<String> rows = new ArrayList<>();
        for (String line : text.substring(start).split("\n")) {
            if (line.startsWith("| `churn.")) {
                rows.add(line);
            }
        }
        List<String> expected = new ArrayList<>();
        for (OtelInstrument i : OtelInstrument.values()) {
            expected.add("| `" + i.metricName() + "` | " + (i.counter() ? "counter" : "gauge") + " | "
                    + (i.unit().isEmpty() ? "—" : "`" + i.unit() + "`") + " |");
        }
        assertEquals(expected.size(), rows.size(), () -> "rows: " + rows);
        for (int k = 0; k < rows.size(); k++) {
            assertTrue(rows.get(k).startsWith(expected.get(k)), "row " + k + " should start with " + expected.get(k)
                    + ": " + rows.get(k));
        }
    }

    @Test
    void everyDestinationInstrumentRendersAFigureAndTheSiteInstrumentsNone() {
        for (OtelInstrument i : OtelInstrument.values()) {
            assertEquals(i == OtelInstrument.CLIENTS_BUILT || i == OtelInstrument.CLIENT_PER_REQUEST, i.perClientSite(),
                    i::name);
            assertTrue(!i.description().isEmpty(), i::name);
        }
    }
}
