package io.churnagent.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code report.html}: off by default, a file path otherwise, from all three sources. */
class HtmlReportOptionTest {

    @Test
    void offByDefaultAndAFilePathOtherwise() {
        assertNull(AgentOptions.defaults().htmlFile());
        assertEquals("off", Option.REPORT_HTML.defaultValue());
        assertEquals("report.html", Option.REPORT_HTML.key());
        assertEquals("CHURN_REPORT_HTML", Option.REPORT_HTML.environmentName());
        ParseResult r = OptionsParser.parse("report.html=/tmp/churn report.html", Map.of(), Map.of());
        assertTrue(r.problems().isEmpty(), r.problems()::toString);
        assertEquals("/tmp/churn report.html", r.options().htmlFile());
        assertEquals("/tmp/x.html", OptionsParser.parse(null, Map.of("churn.report.html", "/tmp/x.html"), Map.of())
                .options().htmlFile());
        assertEquals("y.html", OptionsParser.parse(null, Map.of(), Map.of("CHURN_REPORT_HTML", "y.html"))
                .options().htmlFile());
        assertNull(OptionsParser.parse("report.html=OFF", Map.of(), Map.of()).options().htmlFile());
        assertEquals("stderr", Option.REPORT_HTML.parse("stderr"), "a file named stderr, not off");
    }

    @Test
    void aControlCharacterIsOneErrorAndTheDefaultStays() {
        ParseResult r = OptionsParser.parse(null, Map.of("churn.report.html", "a\u0001b.html"), Map.of());
        assertEquals(1, r.problems().size(), r.problems()::toString);
        assertTrue(r.problems().get(0).contains("report.html"), r.problems().get(0));
        assertNull(r.options().htmlFile());
    }
}
