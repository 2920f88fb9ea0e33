package io.churnagent.it;

import io.churnagent.it.programs.RedisClients;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real Redis ({@code redis-server} on 127.0.0.1) through the two common clients: a Jedis opened per
 * request and a Lettuce {@code RedisClient} created per request (on Netty 4.2's native epoll) are
 * counted exactly, and {@code client_per_request} and the destination's {@code site} name the
 * handler's line, not a library frame; a shared {@code JedisPool} and a shared Lettuce connection
 * stay quiet.
 */
class RedisClientsIT {

    private static final int REQUESTS = 60;
    private static final String OPTIONS = "evaluate.interval=200ms,capacity=100,report.interval=off,report.top=20";
    private static final String PROGRAM = "io.churnagent.it.programs.RedisClients";

    @OnEachJdk
    void aJedisPerRequestNamesTheHandlersLine(Path jdk) throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            ForkedJvm jvm = run(jdk, "jedis", redis, false);
            String site = PROGRAM + ".jedisPerRequest(RedisClients.java:" + SourceMarkers.lineOf(RedisClients.class, "SITE:jedis") + ")";
            String connect = PROGRAM + ".jedisPerRequest(RedisClients.java:"
                    + SourceMarkers.lineOf(RedisClients.class, "CONNECT:jedis (a Jedis connects at its first command)") + ")";
            assertChurnNamed(jvm, redis, "jedis", site, connect, REQUESTS);
        }
    }

    @OnEachJdk
    void aLettuceClientPerRequestOnNetty42EpollNamesTheHandlersLine(Path jdk) throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            ForkedJvm jvm = run(jdk, "lettuce", redis, true);
            assertTrue(jvm.stdout().contains("epoll true netty 4.2.18.Final"), () -> "Lettuce on Netty 4.2 epoll: " + jvm.output());
            String site = PROGRAM + ".lettucePerRequest(RedisClients.java:" + SourceMarkers.lineOf(RedisClients.class, "SITE:lettuce") + ")";
            assertChurnNamed(jvm, redis, "lettuce", site, site, REQUESTS);
            assertTrue(jvm.agentEvents().stream().noneMatch(e -> "client_per_request".equals(e.event())
                    && "netty-bootstrap".equals(e.get("family"))), () -> "Lettuce's Bootstrap per connect is its own: " + jvm.output());
        }
    }

    @OnEachJdk
    void aSharedJedisPoolAndASharedLettuceConnectionStayQuiet(Path jdk) throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            for (String mode : List.of("jedis-pool", "lettuce-shared")) {
                ForkedJvm jvm = run(jdk, mode, redis, mode.startsWith("lettuce"));
                List<AgentEvent> events = jvm.agentEvents();
                AgentEvent line = AgentEvent.reportByDestination(events).get("127.0.0.1:" + redis.port());
                assertNotNull(line, () -> mode + ": the pooled connections are seen: " + jvm.output());
                assertTrue(line.getLong("connects") >= 1 && line.getLong("connects") <= 8, () -> mode + ": " + line);
                assertTrue(events.stream().noneMatch(e -> "client_per_request".equals(e.event())), () -> mode + jvm.output());
                // of its own Redis: a test beside this one may churn to its own (and the kernel fallback say so)
                assertTrue(events.stream().noneMatch(e -> "churn_warning".equals(e.event())
                        && ("127.0.0.1:" + redis.port()).equals(e.fields.get("destination"))), () -> mode + jvm.output());
            }
        }
    }

    /**
     * {@code site} builds the client; {@code connectSite} connects it (a Lettuce client connects on its
     * own threads, which name where it was built).
     */
    private static void assertChurnNamed(ForkedJvm jvm, RedisServer redis, String family, String site, String connectSite,
                                         int requests)
            throws Exception {
        List<AgentEvent> events = jvm.agentEvents();
        String destination = "127.0.0.1:" + redis.port();
        AgentEvent line = AgentEvent.reportByDestination(events).get(destination);
        assertNotNull(line, () -> "no report line for Redis " + destination + jvm.output());
        assertEquals(requests, line.getLong("connects"), () -> line.toString());
        assertEquals(requests, line.getLong("closes"), () -> line.toString());
        assertEquals(connectSite, line.get("site"), () -> "the handler's line, not the library's frame: " + line);

        List<AgentEvent> perRequest = events.stream()
                .filter(e -> "client_per_request".equals(e.event()) && family.equals(e.get("family")))
                .collect(Collectors.toList());
        assertEquals(1, perRequest.size(), () -> "one client_per_request for " + family + jvm.output());
        assertEquals(site, perRequest.get(0).get("site"));
        // capacity=100: 50 ports held for 60 s, 0.8 closes/s
        AgentEvent warning = ReportAssertions.assertWarned(events, destination,
                ReportAssertions.closesPerSecondNeeded(100, 0.5), OPTIONS, jvm);
        assertEquals(connectSite, warning.get("site"), () -> warning.toString());
    }

    private static ForkedJvm run(Path jdk, String mode, RedisServer redis, boolean onNetty42) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent(OPTIONS)
                .jvmArg("-Dlogback.configurationFile=logback-programs-quiet.xml");
        String[] args = {mode, Integer.toString(redis.port()), Integer.toString(REQUESTS)};
        if (onNetty42) {
            jvm.mainClassOn(ForkedJvm.netty42Classpath(), RedisClients.class, args);
        } else {
            jvm.mainClass(RedisClients.class, args);
        }
        assertEquals(0, jvm.run(Duration.ofSeconds(120)), () -> "program failed: " + jvm.output());
        assertTrue(jvm.stdout().contains("ok " + REQUESTS + "\n"), () -> jvm.output());
        ReportAssertions.assertNoBridgeFaults(jvm);
        return jvm;
    }
}
