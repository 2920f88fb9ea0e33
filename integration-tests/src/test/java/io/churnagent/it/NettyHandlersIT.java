package io.churnagent.it;

import io.churnagent.it.programs.NettyServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty inbound handlers are request handlers: a {@code Bootstrap} built per request inside a Netty
 * server's handler (an epoll HTTP server behind Netty's codec and aggregator, the user's
 * {@code channelRead0}; a NIO server, the user's {@code channelRead}) is named by
 * {@code event=client_per_request} with the exact site and the user's handler line, never a Netty
 * class; a {@code Bootstrap} built once and connecting per request (or cloned per request, as Netty's
 * {@code SimpleChannelPool} does) is not. The backend connections
 * (epoll transport) are counted exactly, on every JDK.
 */
class NettyHandlersIT {

    private static final int REQUESTS = 25;
    private static final String PROGRAM = "io.churnagent.it.programs.NettyServer";
    private static final String AGENT_OPTIONS = "evaluate.interval=200ms,capacity=200,report.interval=off,report.top=50";

    @OnEachJdk
    void bootstrapsBuiltPerRequestAreNamedWithTheirSiteAndHandler(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "per-request");
        List<AgentEvent> perRequest = AgentEvent.named(jvm.agentEvents(), "client_per_request");
        assertEquals(2, perRequest.size(), () -> "one event per handler: " + perRequest + jvm.output());
        for (String[] server : new String[][] {{"http", "HttpFront.channelRead0"}, {"raw", "RawFront.channelRead"}}) {
            String site = PROGRAM + ".call" + capitalized(server[0]) + "Backend(NettyServer.java:" + lineOf("SITE:" + server[0]) + ")";
            String handler = PROGRAM + "$" + server[1] + "(NettyServer.java:" + lineOf("HANDLER:" + server[0]) + ")";
            AgentEvent e = perRequest.stream().filter(x -> site.equals(x.get("site"))).findFirst().orElse(null);
            assertNotNull(e, () -> "no client_per_request at " + site + ": " + perRequest + jvm.output());
            assertEquals("netty-bootstrap", e.get("family"), () -> e.toString());
            assertEquals(handler, e.get("handler"), () -> e.toString());
            assertTrue(e.getLong("built_60s") > 10 && e.getLong("built_60s") <= REQUESTS, () -> e.toString());
        }
        assertBackendsCounted(jvm);
    }

    @OnEachJdk
    void aSharedBootstrapIsNotReported(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "shared");
        assertEquals(List.of(), AgentEvent.named(jvm.agentEvents(), "client_per_request"), () -> jvm.output());
        assertBackendsCounted(jvm);
    }

    /** Each request's backend connection is one epoll connect and one close. */
    private static void assertBackendsCounted(ForkedJvm jvm) throws Exception {
        Map<String, String> backends = jvm.announced("backend ");
        Map<String, AgentEvent> report = AgentEvent.reportByDestination(jvm.agentEvents());
        for (String name : List.of("http", "raw")) {
            AgentEvent line = ReportAssertions.reportLine(report, backends.get(name), "the " + name + " backend", jvm);
            ReportAssertions.assertAllClosed(line, name, REQUESTS);
        }
    }

    private static ForkedJvm run(Path jdk, String mode) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent(AGENT_OPTIONS)
                .jvmArg("-Dlogback.configurationFile=logback-programs-quiet.xml")
                .mainClass(NettyServer.class, mode, Integer.toString(REQUESTS));
        assertEquals(0, jvm.run(Duration.ofSeconds(120)), () -> "program failed: " + jvm.output());
        ReportAssertions.assertServed(jvm, List.of("http", "raw"), REQUESTS);
        ReportAssertions.assertNoBridgeFaults(jvm);
        assertFalse(jvm.stderr().contains("cannot instrument"), () -> jvm.output());
        return jvm;
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static int lineOf(String marker) throws Exception {
        return SourceMarkers.lineOf(io.churnagent.it.programs.NettyServer.class, marker);
    }
}
