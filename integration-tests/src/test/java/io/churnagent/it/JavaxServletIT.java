package io.churnagent.it;

import io.churnagent.it.programs.JavaxServlets;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code javax.servlet} handler context (embedded Tomcat 9; ClientPerRequestIT covers
 * {@code jakarta.servlet}): a JDK HttpClient built per request inside a javax servlet is named with
 * its exact site and the servlet's line; built once, nothing is said.
 */
class JavaxServletIT {

    private static final int REQUESTS = 25;
    private static final String PROGRAM = JavaxServlets.class.getName();
    private static final String OPTIONS = "evaluate.interval=200ms,report.interval=off,client.per.request.threshold="
            + (REQUESTS - 1);

    @OnEachJdk
    void aClientBuiltPerRequestInAJavaxServletIsNamedWithItsSiteAndTheServlet(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "per-request");
        List<AgentEvent> perRequest = perRequest(jvm);
        assertEquals(1, perRequest.size(), () -> "one event: " + jvm.stderr());
        AgentEvent e = perRequest.get(0);
        assertEquals("jdk-httpclient", e.get("family"), e::toString);
        assertEquals(PROGRAM + "$Front.fetch(JavaxServlets.java:" + lineOf("SITE:javax") + ")", e.get("site"), e::toString);
        assertEquals(PROGRAM + "$Front.doGet(JavaxServlets.java:" + lineOf("HANDLER:javax") + ")", e.get("handler"),
                e::toString);
        assertEquals(REQUESTS, e.getLong("built_total"), () -> "each build counted once: " + e);
    }

    @OnEachJdk
    void aSharedClientIsNotReported(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "shared");
        assertEquals(List.of(), perRequest(jvm), jvm::stderr);
        assertTrue(jvm.stderr().contains("event=agent_started"), jvm::stderr);
    }

    private static ForkedJvm run(Path jdk, String mode) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent(OPTIONS)
                .mainClass(JavaxServlets.class, mode, Integer.toString(REQUESTS));
        assertEquals(0, jvm.run(Duration.ofSeconds(120)), jvm::stderr);
        assertTrue(jvm.stdout().contains("ok " + REQUESTS + "\n"), jvm::stdout);
        return jvm;
    }

    private static List<AgentEvent> perRequest(ForkedJvm jvm) throws Exception {
        return AgentEvent.named(jvm.agentEvents(), "client_per_request");
    }

    private static int lineOf(String marker) throws Exception {
        return SourceMarkers.lineOf(io.churnagent.it.programs.JavaxServlets.class, marker);
    }
}
