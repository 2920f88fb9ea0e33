package io.churnagent.it;

import io.churnagent.it.programs.SpringAndAsyncClients;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spring {@code RestTemplate}, Spring {@code WebClient} over a Reactor Netty {@code ConnectionProvider}
 * of its own, and Apache {@code HttpAsyncClient} 5 ({@code createDefault()} and {@code custom().build()})
 * built per request inside a Jetty servlet or a JDK HttpServer handler are each named by one
 * {@code event=client_per_request} with the exact site and handler line; built once and shared they
 * are not. A {@code WebClient} built per request over Reactor Netty's global pool ({@code create()},
 * {@code builder().build()}) opens no connection of its own (the pool keeps a few alive for all of
 * them) and is not named either.
 *
 * <p>Each build counts once: the threshold is one below the request count, so the event can only
 * fire after the last build and says exactly {@code built_total=REQUESTS} (a nested construction
 * counted too would show as an even number, or as an event of another family). The async client's
 * connections (NIO channels of its I/O reactor) are counted exactly: one connect and one close per
 * per-request client.
 */
class SpringAndAsyncClientsIT {

    private static final int REQUESTS = 25;
    private static final String ALL = "resttemplate,webclient-builder,webclient-create,apache5-async,apache5-async-custom,"
            + "webclient-provider";
    /** Built per request over Reactor Netty's global pool: not a client of their own. */
    private static final Map<String, String> OVER_THE_GLOBAL_POOL = Map.of(
            "webclient-builder", "webClientBuilder", "webclient-create", "webClientCreate");
    private static final String PROGRAM = "io.churnagent.it.programs.SpringAndAsyncClients";
    private static final String AGENT_OPTIONS = "evaluate.interval=200ms,capacity=200,report.interval=off,report.top=50,"
            + "client.per.request.threshold=" + (REQUESTS - 1);
    /** The async client's families, whose connections are counted exactly. */
    private static final List<String> ASYNC = List.of("apache5-async", "apache5-async-custom");

    /** program family → (agent family, program method, front server). */
    private static final Map<String, String[]> FAMILIES = Map.of(
            "resttemplate", new String[] {"spring-resttemplate", "restTemplate", "servlet"},
            "webclient-provider", new String[] {"spring-webclient", "withProvider", "servlet"},
            "apache5-async", new String[] {"apache-httpclient5-async", "apacheAsync", "jdk"},
            "apache5-async-custom", new String[] {"apache-httpclient5-async", "apacheAsyncCustom", "servlet"});

    @OnEachJdk
    void clientsBuiltPerRequestAreNamedOnceEachWithSiteAndHandler(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "per-request");
        List<AgentEvent> events = jvm.agentEvents();
        List<AgentEvent> perRequest = AgentEvent.named(events, "client_per_request");
        for (Map.Entry<String, String[]> f : FAMILIES.entrySet()) {
            String site = frame(f.getValue()[1], "SITE:" + f.getKey());
            List<AgentEvent> forSite = perRequest.stream().filter(e -> site.equals(e.get("site")))
                    .collect(Collectors.toList());
            assertEquals(1, forSite.size(), () -> "one client_per_request for " + site + ": " + jvm.output());
            AgentEvent e = forSite.get(0);
            assertEquals(f.getValue()[0], e.get("family"), () -> f.getKey() + ": " + e);
            assertEquals(SourceMarkers.frontFrame(f.getValue()[2]), e.get("handler"), () -> f.getKey() + ": " + e);
            assertEquals(REQUESTS, e.getLong("built_total"), () -> f.getKey() + " counts each build once: " + e);
            assertEquals(REQUESTS, e.getLong("built_60s"), () -> f.getKey() + ": " + e);
        }
        assertEquals(FAMILIES.size(), perRequest.size(), () -> "nothing else is reported: " + perRequest);

        Map<String, AgentEvent> report = AgentEvent.reportByDestination(events);
        Map<String, String> backends = jvm.announced("backend ");
        for (Map.Entry<String, String> f : OVER_THE_GLOBAL_POOL.entrySet()) {
            AgentEvent line = ReportAssertions.reportLine(report, backends.get(f.getKey()), f.getKey(), jvm);
            // the global pool's few connections serve all 25 WebClients (4 handler threads at most at once)
            assertTrue(line.getLong("connects") <= 4, () -> f.getKey() + " shares the global pool: " + line);
            assertEquals(0, line.getLong("closes"), () -> f.getKey() + ": " + line);
        }
        AgentEvent own = ReportAssertions.reportLine(report, backends.get("webclient-provider"), "webclient-provider", jvm);
        ReportAssertions.assertAllClosedNoneFailed(own, "webclient-provider", REQUESTS);
        for (String family : ASYNC) {
            AgentEvent line = ReportAssertions.reportLine(report, backends.get(family), family, jvm);
            ReportAssertions.assertAllClosedNoneFailed(line, family, REQUESTS);
            assertEquals(frame(FAMILIES.get(family)[1], "SITE:" + family), line.get("site"), () -> family + ": " + line);
        }
        printCounts(jvm, report, backends);
    }

    @OnEachJdk
    void sharedClientsAreNotReported(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "shared");
        List<AgentEvent> events = jvm.agentEvents();
        assertEquals(List.of(), AgentEvent.named(events, "client_per_request"), jvm::output);
        Map<String, AgentEvent> report = AgentEvent.reportByDestination(events);
        Map<String, String> backends = jvm.announced("backend ");
        for (String family : ASYNC) {
            AgentEvent line = ReportAssertions.reportLine(report, backends.get(family), family, jvm);
            // usually one; a second when a request leases before the previous connection is back in the
            // pool (seen once in three runs on JDK 25): never more than the pool's 5 per route, never 25
            long connects = line.getLong("connects");
            assertTrue(connects >= 1 && connects <= 5, () -> family + " keeps its connections alive: " + line);
            assertEquals(0, line.getLong("closes"), () -> family + " closes: " + line);
        }
        printCounts(jvm, report, backends);
    }

    private static ForkedJvm run(Path jdk, String mode) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent(AGENT_OPTIONS)
                .jvmArg("-Dlogback.configurationFile=logback-programs-quiet.xml")
                .jvmArg("-Dreactor.netty.native=false") // NIO even if a Netty native transport is on the class path
                .mainClass(SpringAndAsyncClients.class, mode, Integer.toString(REQUESTS), ALL);
        assertEquals(0, jvm.run(Duration.ofSeconds(120)), () -> "program failed: " + jvm.output());
        ReportAssertions.assertServed(jvm, List.of(ALL.split(",")), REQUESTS);
        ReportAssertions.assertNoBridgeFaults(jvm);
        return jvm;
    }

    /** The figures per backend, for the record (the Spring clients' connection reuse is the library's). */
    private static void printCounts(ForkedJvm jvm, Map<String, AgentEvent> report, Map<String, String> backends) {
        for (String family : ALL.split(",")) {
            AgentEvent line = report.get("127.0.0.1:" + backends.get(family));
            System.out.println(jvm + " " + family + ": " + (line == null ? "no report line"
                    : "connects=" + line.get("connects") + " closes=" + line.get("closes") + " open=" + line.get("open")));
        }
    }

    /** {@code SpringAndAsyncClients.<method>(SpringAndAsyncClients.java:<line of marker>)}. */
    private static String frame(String method, String marker) throws Exception {
        return SourceMarkers.frame(io.churnagent.it.programs.SpringAndAsyncClients.class, method, marker);
    }
}
