package io.churnagent.it;

import io.churnagent.it.programs.SharedClientChurn;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shared client churns too, and the warning says why: one OkHttp client with the default pool at
 * 32 concurrent calls (bursts with a gap) closes all but 5 idle connections after each burst
 * ({@code churn_reason=okhttp_pool_idle_limit}, naming the limit); a server that answers
 * {@code Connection: close} makes a shared client open a connection per call
 * ({@code churn_reason=server_closes_each_connection}, once the kernel shows the TIME_WAIT on the
 * server's side). {@code capacity=2000} warns from 17 closes/s (the bursts reach several times that);
 * {@code capacity=400} from 4/s at 40 calls/s. Private network namespaces: the kernel table read is
 * the program's own.
 */
class SharedClientChurnIT {

    @OnEachJdk
    void aSharedOkHttpClientAt32ConcurrentCallsChurnsThroughItsPoolsIdleLimit(Path jdk) throws Exception {
        ForkedJvm program = new ForkedJvm(jdk).inPrivateNetwork().withAgent("capacity=2000")
                .mainClass(SharedClientChurn.class, "okhttp-bursts", "60").start();
        try {
            AgentEvent w = program.awaitEvent("churn_warning", e -> e.fields.containsKey("churn_reason"),
                    Duration.ofSeconds(60));
            assertEquals("okhttp_pool_idle_limit", w.get("churn_reason"), w::toString);
            assertEquals(SourceMarkers.frame(SharedClientChurn.class, "call", "SITE:shared"), w.get("site"), w::toString);
            program.awaitLine(l -> l.contains("ConnectionPool keeps at most 5 idle connections"), Duration.ofSeconds(5));
        } finally {
            program.kill();
        }
    }

    @OnEachJdk
    void aServerAnsweringConnectionCloseIsNamedAsTheReason(Path jdk) throws Exception {
        ForkedJvm program = new ForkedJvm(jdk).inPrivateNetwork().withAgent("capacity=400")
                .mainClass(SharedClientChurn.class, "connection-close", "90", "40").start();
        try {
            AgentEvent w = program.awaitEvent("churn_warning", e -> "peer".equals(e.get("time_wait_side")),
                    Duration.ofSeconds(60));
            assertEquals("server_closes_each_connection", w.get("churn_reason"), w::toString);
            program.awaitLine(l -> l.contains("Why: the server closes each connection after its response"),
                    Duration.ofSeconds(5));
        } finally {
            program.kill();
        }
        List<AgentEvent> warnings = AgentEvent.named(program.agentEvents(), "churn_warning");
        assertTrue(warnings.stream().noneMatch(e -> "okhttp_pool_idle_limit".equals(e.fields.get("churn_reason"))),
                () -> warnings.stream().map(e -> e.line).collect(Collectors.joining("\n")));
    }
}
