package io.churnagent.it;

import io.churnagent.it.programs.ClientFamilies;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients built per request inside real handlers (a JDK HttpServer handler, on virtual threads on
 * JDK 21+, and a Jetty 12 servlet) are named by {@code event=client_per_request} with the exact
 * site and handler line, for each client family; shared clients and OkHttp clients derived with
 * {@code newBuilder()} are not; every destination's report line names where its connections come
 * from, including H2 over TCP reached through {@code DriverManager}.
 */
class ClientPerRequestIT {

    private static final int REQUESTS = 25;
    private static final String ALL = "jdk,socket,apache4,apache5,okhttp,okhttp-derived,jetty,jdbc";
    private static final String PROGRAM = "io.churnagent.it.programs.ClientFamilies";
    private static final String AGENT_OPTIONS = "evaluate.interval=200ms,capacity=200,report.interval=off,report.top=50";

    /** family → (agent family name, program method); {@code socket} has no client hook. */
    private static final Map<String, String[]> FAMILIES = Map.of(
            "jdk", new String[] {"jdk-httpclient", "jdk", "jdk"},
            "apache4", new String[] {"apache-httpclient4", "apache4", "servlet"},
            "apache5", new String[] {"apache-httpclient5", "apache5", "servlet"},
            "okhttp", new String[] {"okhttp", "okhttp", "servlet"},
            "jetty", new String[] {"jetty-httpclient", "jetty", "servlet"},
            "jdbc", new String[] {"jdbc", "jdbc", "servlet"});

    @OnEachJdk
    void clientsBuiltPerRequestAreNamedWithTheirSiteAndHandler(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "per-request");
        List<AgentEvent> events = jvm.agentEvents();
        List<AgentEvent> perRequest = AgentEvent.named(events, "client_per_request");

        for (Map.Entry<String, String[]> f : FAMILIES.entrySet()) {
            String family = f.getValue()[0];
            String site = frame(f.getValue()[1], "SITE:" + f.getKey());
            String handler = SourceMarkers.frontFrame(f.getValue()[2]);
            AgentEvent e = perRequest.stream().filter(x -> family.equals(x.get("family"))).findFirst().orElse(null);
            assertNotNull(e, () -> "no client_per_request for " + family + ": " + jvm.output());
            assertEquals(site, e.get("site"), () -> family + ": " + e);
            assertEquals(handler, e.get("handler"), () -> family + ": " + e);
            assertTrue(e.getLong("built_60s") > 10 && e.getLong("built_60s") <= REQUESTS, () -> family + ": " + e);
            assertEquals(10, e.getLong("threshold"));
        }
        String derived = frame("okhttpDerived", "SITE:okhttp-derived");
        assertTrue(perRequest.stream().noneMatch(e -> e.get("site").equals(derived)),
                () -> "newBuilder() from a shared OkHttpClient shares its pool and is not a new client: " + perRequest);
        assertEquals(FAMILIES.size(), perRequest.size(), () -> "one event per family: " + perRequest);

        // every churning destination's report line says where its connections come from
        Map<String, AgentEvent> report = AgentEvent.reportByDestination(events);
        Map<String, String> backends = jvm.announced("backend ");
        for (String family : List.of("jdk", "socket", "apache4", "apache5", "okhttp", "jetty", "jdbc")) {
            AgentEvent line = ReportAssertions.reportLine(report, backends.get(family), family, jvm);
            assertTrue(line.getLong("connects") >= REQUESTS, () -> family + ": " + line);
            String method = family.equals("socket") ? "socket" : FAMILIES.get(family)[1];
            assertTrue(line.get("site").startsWith(PROGRAM + "." + method + "(ClientFamilies.java:"),
                    () -> family + " site: " + line);
        }
        // a raw socket has no client hook: the sampled connect names its exact line, in the warning too
        String socketSite = frame("socket", "SITE:socket");
        assertEquals(socketSite, report.get("127.0.0.1:" + backends.get("socket")).get("site"));
        // capacity=200: 100 ports held for 60 s, 1.7 closes/s, a small part of what 25 raw connects reach
        AgentEvent warning = ReportAssertions.assertWarned(events, "127.0.0.1:" + backends.get("socket"),
                ReportAssertions.closesPerSecondNeeded(200, 0.5), AGENT_OPTIONS, jvm);
        assertEquals(socketSite, warning.get("site"));
        assertTrue(jvm.stderr().contains("    at " + socketSite), () -> "the trimmed stack is printed: " + jvm.output());
    }

    @OnEachJdk
    void sharedClientsAreNotReported(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "shared");
        assertEquals(List.of(), AgentEvent.named(jvm.agentEvents(), "client_per_request"), jvm::output);
    }

    private static ForkedJvm run(Path jdk, String mode) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent(AGENT_OPTIONS)
                .jvmArg("-Dlogback.configurationFile=logback-programs-quiet.xml")
                .mainClass(ClientFamilies.class, mode, Integer.toString(REQUESTS), ALL);
        assertEquals(0, jvm.run(Duration.ofSeconds(120)), () -> "program failed: " + jvm.output());
        ReportAssertions.assertServed(jvm, List.of(ALL.split(",")), REQUESTS);
        ReportAssertions.assertNoBridgeFaults(jvm);
        if (Jdks.featureVersion(jdk) >= 21) {
            assertTrue(jvm.stdout().contains("handler threads: virtual"), jvm::output);
        }
        return jvm;
    }

    /** {@code ClientFamilies.<method>(ClientFamilies.java:<line of marker>)}. */
    private static String frame(String method, String marker) throws Exception {
        return SourceMarkers.frame(io.churnagent.it.programs.ClientFamilies.class, method, marker);
    }
}
