package io.churnagent.it;

import io.churnagent.it.programs.GrpcChannels;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gRPC with its default transport, grpc-netty-shaded (Netty relocated under
 * {@code io.grpc.netty.shaded}, native epoll): a channel built per request inside a JDK HttpServer
 * handler is counted exactly (every connection and close, seen only through the relocated epoll
 * channel's advice), warned about, and named by {@code client_per_request family=grpc} at the line
 * that builds it; one shared channel makes one connection and no warning.
 */
class GrpcChannelsIT {

    private static final int REQUESTS = 200;
    private static final String OPTIONS = "evaluate.interval=200ms,capacity=300,report.interval=off,report.top=20";

    @OnEachJdk
    void aChannelPerRequestIsCountedWarnedAndNamed(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "per-request");
        List<AgentEvent> events = jvm.agentEvents();
        String port = jvm.announced("port ").get("grpc");
        String destination = "127.0.0.1:" + port;
        AgentEvent line = ReportAssertions.reportLine(AgentEvent.reportByDestination(events), port, "the gRPC server", jvm);
        ReportAssertions.assertAllClosed(line, "gRPC (one connection per channel)", REQUESTS);

        String site = "io.churnagent.it.programs.GrpcChannels.channel(GrpcChannels.java:"
                + SourceMarkers.lineOf(GrpcChannels.class, "SITE:grpc") + ")";
        List<AgentEvent> perRequest = events.stream()
                .filter(e -> "client_per_request".equals(e.event()) && "grpc".equals(e.get("family")))
                .collect(Collectors.toList());
        assertEquals(1, perRequest.size(), () -> "one client_per_request for the gRPC site: " + jvm.output());
        assertEquals(site, perRequest.get(0).get("site"));
        assertTrue(perRequest.get(0).get("handler").startsWith("io.churnagent.it.programs.Gateway$Front.handle("),
                () -> perRequest.get(0).toString());
        assertTrue(jvm.stderr().contains("Fix: build one ManagedChannel per target at startup and share it"),
                () -> "the gRPC fix is said: " + jvm.output());
        assertTrue(events.stream().noneMatch(e -> "client_per_request".equals(e.event())
                && "netty-bootstrap".equals(e.get("family"))), () -> "gRPC's own Bootstrap per transport is not a client: "
                + jvm.output());

        // capacity=300: 150 ports held for 60 s, 2.5 closes/s, a small part of what 200 channels reach
        AgentEvent warning = ReportAssertions.assertWarned(events, destination,
                ReportAssertions.closesPerSecondNeeded(300, 0.5), OPTIONS, jvm);
        assertEquals(site, warning.get("site"), () -> "connects on gRPC's threads name where the channel was built: "
                + warning);
    }

    @OnEachJdk
    void aSharedChannelMakesOneConnectionAndNoWarning(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "shared");
        List<AgentEvent> events = jvm.agentEvents();
        AgentEvent line = ReportAssertions.reportLine(AgentEvent.reportByDestination(events), jvm.announced("port ").get("grpc"),
                "the shared channel's connection", jvm);
        assertEquals(1, line.getLong("connects"), () -> line.toString());
        assertTrue(events.stream().noneMatch(e -> "client_per_request".equals(e.event())), () -> jvm.output());
        assertTrue(events.stream().noneMatch(e -> "churn_warning".equals(e.event())), () -> jvm.output());
    }

    private static ForkedJvm run(Path jdk, String mode) throws Exception {
        // a private network namespace: another process's churn on this host (a kernel-fallback warning
        // about it is right) must not fail a test that expects no warning at all
        ForkedJvm jvm = new ForkedJvm(jdk).inPrivateNetwork().withAgent(OPTIONS)
                .jvmArg("-Dlogback.configurationFile=logback-programs-quiet.xml")
                .mainClass(GrpcChannels.class, mode, Integer.toString(REQUESTS));
        assertEquals(0, jvm.run(Duration.ofSeconds(120)), () -> "program failed: " + jvm.output());
        String out = jvm.stdout();
        assertTrue(out.contains("epoll true\n"), () -> "gRPC's shaded epoll transport must be in use: " + jvm.output());
        assertTrue(out.contains("ok " + REQUESTS + "\n"), () -> jvm.output());
        ReportAssertions.assertNoBridgeFaults(jvm);
        return jvm;
    }
}
