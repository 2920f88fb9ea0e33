package io.churnagent.it;

import io.churnagent.it.programs.NettyConnections;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty clients are counted exactly once per connection and close on every JDK: over the native
 * epoll transport (JNI sockets, seen only through the Netty channel advice), over NIO (seen through
 * {@code SocketChannelImpl}, and not a second time), refused epoll connects as failures and not as
 * connects, and an epoll UDP channel's connect not at all. The epoll transport must be available:
 * the program fails without it, so this test cannot pass by skipping the native path.
 */
class NettyConnectionsIT {

    private static final int N = 25;

    @OnEachJdk
    void nettyConnectionsAreCountedOnceOverEpollAndNio(Path jdk) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent("report.top=50")
                .jvmArg("-Dlogback.configurationFile=logback-programs-quiet.xml")
                .mainClass(NettyConnections.class, Integer.toString(N));
        assertCountedOnce(jvm);
    }

    /** The same program on Netty 4.2.18 (its own class path), whose epoll channels have the same shape. */
    @OnEachJdk
    void onNetty42TooTheyAreCountedOnce(Path jdk) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent("report.top=50")
                .jvmArg("-Dlogback.configurationFile=logback-programs-quiet.xml")
                .mainClassOn(ForkedJvm.netty42Classpath(), NettyConnections.class, Integer.toString(N));
        assertCountedOnce(jvm);
        assertTrue(jvm.stdout().contains("netty 4.2.18.Final\n"), () -> "ran on Netty 4.2: " + jvm.output());
    }

    private static void assertCountedOnce(ForkedJvm jvm) throws Exception {
        assertEquals(0, jvm.run(Duration.ofSeconds(90)), () -> "program failed: " + jvm.output());
        String out = jvm.stdout();
        assertTrue(out.contains("refused " + N + "\n"), () -> "every connect to the closed port fails: " + jvm.output());
        ReportAssertions.assertNoBridgeFaults(jvm);
        assertFalse(jvm.stderr().contains("cannot instrument"), () -> jvm.output());

        Map<String, Integer> ports = jvm.announcedPaths();
        assertEquals(4, ports.size(), () -> jvm.output());
        Map<String, AgentEvent> report = AgentEvent.reportByDestination(jvm.agentEvents());

        for (String path : List.of("epoll", "nio")) {
            ReportAssertions.assertAllClosedNoneFailed(ReportAssertions.reportLine(report, ports.get(path), path, jvm), path, N);
        }
        AgentEvent refused = ReportAssertions.reportLine(report, ports.get("epoll_refused"), "refused epoll connects", jvm);
        assertEquals(0, refused.getLong("connects"), () -> "refused: " + refused);
        assertEquals(0, refused.getLong("open"), () -> "refused: " + refused);
        assertEquals(N, refused.getLong("failed_refused"), () -> "refused: " + refused);

        AgentEvent udp = report.get("127.0.0.1:" + ports.get("epoll_udp"));
        assertTrue(udp == null || udp.getLong("connects") == 0, () -> "a UDP connect is no TCP connection: " + udp);
    }
}
