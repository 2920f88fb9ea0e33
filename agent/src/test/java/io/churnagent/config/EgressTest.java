package io.churnagent.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EgressTest {

    @Test
    void presetsCarryTheirPublishedFigures() {
        assertTrue(Egress.parse("local").isLocal());
        Egress aws = Egress.parse("aws-nat");
        assertEquals(55_000, aws.ports());
        assertEquals(60, aws.timeWaitSeconds());
        Egress gcp = Egress.parse("gcp-cloud-nat");
        assertEquals(64, gcp.ports());
        assertEquals(120, gcp.timeWaitSeconds());
        assertEquals(1_024, Egress.parse("azure-snat").ports());
        assertEquals(2_048, Egress.parse("AZURE-SNAT:2048").ports());
        assertEquals(256, Egress.parse(" gcp-cloud-nat:256 ").ports());
    }

    @Test
    void customPortsAndTimeWait() {
        Egress e = Egress.parse("ports:500,time_wait:30");
        assertEquals("custom", e.name());
        assertEquals(500, e.ports());
        assertEquals(30, e.timeWaitSeconds());
        assertEquals(e, Egress.parse("ports:500;time_wait:30s"));
        assertEquals(60, Egress.parse("ports:500").timeWaitSeconds());
    }

    @Test
    void formatParsesBackToTheSameValue() {
        for (String text : new String[] {"local", "aws-nat", "gcp-cloud-nat:64", "azure-snat:1024", "ports:9,time_wait:300"}) {
            Egress e = Egress.parse(text);
            assertEquals(text, e.format());
            assertEquals(e, Egress.parse(e.format()));
        }
    }

    @Test
    void nonsenseIsRefused() {
        for (String bad : new String[] {"", "aws", "gcp-cloud-nat:0", "gcp-cloud-nat:70000", "azure-snat:", "ports:",
                "ports:0", "ports:10,time_wait:0", "ports:10,time_wait:301", "ports:10,time_wait:-1", "nat:10"}) {
            assertNull(Egress.parse(bad), bad);
        }
    }

    @Test
    void theCustomFormsCommaWorksInAgentArguments() {
        ParseResult r = OptionsParser.parse("warn.ratio=0.4,egress=ports:300,time_wait:90,report.top=3", Map.of(), Map.of());
        assertEquals(java.util.List.of(), r.problems());
        assertEquals(300, r.options().egress().ports());
        assertEquals(90, r.options().egress().timeWaitSeconds());
        assertEquals(3, r.options().reportTop());
        assertEquals(0.4, r.options().warnRatio(), 1e-9);
    }

    @Test
    void aStrayTimeWaitIsStillAnError() {
        ParseResult r = OptionsParser.parse("warn.ratio=0.4,time_wait:90", Map.of(), Map.of());
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).contains("not a key=value pair"), r.problems().get(0));
    }

    @Test
    void aBadEgressNamesTheForms() {
        ParseResult r = OptionsParser.parse("egress=gcp", Map.of(), Map.of());
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).contains("gcp-cloud-nat[:<ports per VM>]"), r.problems().get(0));
        assertTrue(r.options().egress().isLocal());
    }
}
