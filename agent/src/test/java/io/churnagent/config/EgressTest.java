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
    void decemberTwentySixPresets() {
        // AWS NAT gateway: 55,000 per destination per address, up to 8 addresses
        assertEquals(110_000, Egress.parse("aws-nat:2").ports());
        assertEquals(440_000 / 8 * 8, Egress.parse("aws-nat:8").ports());
        assertEquals(60, Egress.parse("aws-nat:8").timeWaitSeconds());
        assertTrue(Egress.parse("aws-nat:2").because().contains("110,000 with its 2 addresses"));
        // Cloud NAT: 120 s unless told (gateways created before 2026-09-30); 30 s for newer ones, when given
        Egress gcpNew = Egress.parse("gcp-cloud-nat:64:30");
        assertEquals(64, gcpNew.ports());
        assertEquals(30, gcpNew.timeWaitSeconds());
        assertTrue(Egress.parse("gcp-cloud-nat").because().contains("newer ones default to 30 s"),
                Egress.parse("gcp-cloud-nat").because());
        Egress dynamic = Egress.parse("gcp-cloud-nat:dynamic");
        assertEquals(32, dynamic.ports());
        assertEquals(120, dynamic.timeWaitSeconds());
        assertTrue(dynamic.because().contains("the minimum dynamic port allocation guarantees"), dynamic.because());
        assertEquals(30, Egress.parse("gcp-cloud-nat:dynamic:30s").timeWaitSeconds());
        // Azure NAT Gateway: 50,000 to one destination per IP (of 64,512 SNAT ports), up to 16 IPs
        Egress azure = Egress.parse("azure-nat-gateway");
        assertEquals("azure-nat-gateway", azure.name());
        assertEquals(50_000, azure.ports());
        assertEquals(800_000, Egress.parse("azure-nat-gateway:16").ports());
        assertTrue(azure.because().contains("64,512 SNAT ports") && azure.because().contains("4 min idle"), azure.because());
        // Kubernetes SNAT to the node: 1024-65535 with --random-fully, shared by the node's pods, conntrack's 120 s
        Egress node = Egress.parse("k8s-snat");
        assertEquals(64_512, node.ports());
        assertEquals(120, node.timeWaitSeconds());
        assertEquals(64_512 / 20, Egress.parse("k8s-snat:20").ports());
        assertTrue(Egress.parse("k8s-snat:20").because().contains("3,225 each when 20 pods"),
                Egress.parse("k8s-snat:20").because());
        assertTrue(node.because().contains("--random-fully"), node.because());
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
        for (String text : new String[] {"local", "aws-nat", "aws-nat:3", "gcp-cloud-nat:64", "gcp-cloud-nat:64:30",
                "gcp-cloud-nat:dynamic", "gcp-cloud-nat:dynamic:30", "azure-nat-gateway", "azure-nat-gateway:4",
                "azure-snat:1024", "k8s-snat", "k8s-snat:30", "ports:9,time_wait:300"}) {
            Egress e = Egress.parse(text);
            assertEquals(text, e.format());
            assertEquals(e, Egress.parse(e.format()));
        }
    }

    @Test
    void nonsenseIsRefused() {
        for (String bad : new String[] {"", "aws", "gcp-cloud-nat:0", "gcp-cloud-nat:70000", "azure-snat:", "ports:",
                "ports:0", "ports:10,time_wait:0", "ports:10,time_wait:301", "ports:10,time_wait:-1", "nat:10", "aws-nat:0",
                "aws-nat:9", "aws-nat:two", "gcp-cloud-nat:64:0", "gcp-cloud-nat:64:301", "gcp-cloud-nat:static",
                "gcp-cloud-nat::30", "azure-nat-gateway:17", "azure-nat-gateway:0", "k8s-snat:0", "k8s-snat:1001",
                "azure-nat", "k8s"}) {
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
        assertTrue(r.problems().get(0).contains("gcp-cloud-nat[:<ports per VM>][:<time_wait seconds>]"),
                r.problems().get(0));
        assertTrue(r.options().egress().isLocal());
    }

    @Test
    void aCountOutOfRangeNamesTheKeyAndTheAcceptedRange() {
        ParseResult r = OptionsParser.parse("egress=aws-nat:9", Map.of(), Map.of());
        assertEquals(1, r.problems().size());
        String problem = r.problems().get(0);
        assertTrue(problem.contains("egress") && problem.contains("aws-nat:9") && problem.contains("aws-nat[:<addresses 1-8>]")
                && problem.contains("k8s-snat[:<pods sharing the node 1-1000>]"), problem);
        assertTrue(r.options().egress().isLocal());
        ParseResult env = OptionsParser.parse("", Map.of(), Map.of("CHURN_EGRESS", "gcp-cloud-nat:dynamic:30"));
        assertEquals(java.util.List.of(), env.problems());
        assertEquals(32, env.options().egress().ports());
        assertEquals(30, env.options().egress().timeWaitSeconds());
    }
}
