package io.churnagent.it;

import io.churnagent.it.programs.OwnRequestLoop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code handlers=Class#method} makes an application's own request loop a handler context: a
 * client built per request under it is named by {@code event=client_per_request} with that handler's
 * frame; without the option the same program is not flagged (no handler context); a malformed value
 * is one error line naming the key and the application runs on; a re-attach with a changed
 * {@code handlers=} instruments the new entry in the running JVM (classes already loaded are
 * retransformed).
 */
class UserHandlersIT {

    private static final String PROGRAM = "io.churnagent.it.programs.OwnRequestLoop";
    private static final String HANDLER = PROGRAM + "$Handler#serve";
    private static final int REQUESTS = 15;
    /**
     * The warning may fire only once every request's client is built: it then counts all of them. The
     * periodic report (every 500 ms) is the positive sign that the agent has evaluated since.
     */
    private static final String OPTIONS = "evaluate.interval=200ms,report.interval=500ms,client.per.request.threshold="
            + (REQUESTS - 1);

    @OnEachJdk
    void aListedMethodIsAHandlerAndWithoutItNothingIsFlagged(Path jdk) throws Exception {
        ForkedJvm with = start(new ForkedJvm(jdk).withAgent(OPTIONS + ",handlers=" + HANDLER));
        try {
            serve(with, REQUESTS);
            AgentEvent e = AgentEvent.parse(with.awaitLine(l -> l.contains("event=client_per_request"),
                    Duration.ofSeconds(10)));
            assertEquals("jdk-httpclient", e.get("family"), e::toString);
            assertEquals(frame("Handler.fetch", "SITE:own"), e.get("site"), e::toString);
            assertEquals(frame("Handler.serve", "HANDLER:own"), e.get("handler"), e::toString);
        } finally {
            with.kill();
        }

        ForkedJvm without = start(new ForkedJvm(jdk).withAgent(OPTIONS));
        try {
            serve(without, REQUESTS);
            awaitEvaluationAfterNow(without);
            assertEquals(List.of(), perRequest(without), without::stderr);
        } finally {
            without.kill();
        }
    }

    @OnEachJdk
    void aMalformedHandlersValueIsOneErrorLineAndTheApplicationRunsOn(Path jdk) throws Exception {
        ForkedJvm jvm = start(new ForkedJvm(jdk).withAgent(OPTIONS + ",handlers=" + PROGRAM + "$Handler"));
        try {
            serve(jvm, 3);
            List<String> errors = jvm.allLines().stream().filter(l -> l.contains("event=agent_option_error"))
                    .collect(Collectors.toList());
            assertEquals(1, errors.size(), jvm::stderr);
            assertTrue(errors.get(0).contains("handlers=" + PROGRAM + "$Handler") && errors.get(0).contains("Class#method"),
                    errors.get(0));
            assertTrue(jvm.agentEvents().stream().anyMatch(e -> "agent_started".equals(e.event())), jvm::stderr);
        } finally {
            jvm.kill();
        }
    }

    @OnEachJdk
    void reattachingWithNewHandlersInstrumentsThemInTheRunningJvm(Path jdk) throws Exception {
        ForkedJvm app = start(new ForkedJvm(jdk));
        try {
            String pid = Long.toString(app.pid());
            attach(jdk, pid, OPTIONS);
            app.awaitLine(l -> l.contains("event=agent_started how=agentmain"), Duration.ofSeconds(10));
            serve(app, REQUESTS); // loads and runs Handler before it is listed
            awaitEvaluationAfterNow(app);
            assertEquals(List.of(), perRequest(app), app::stderr);

            attach(jdk, pid, OPTIONS + ",handlers=" + HANDLER);
            String updated = app.awaitLine(l -> l.contains("event=agent_options_updated"), Duration.ofSeconds(10));
            assertTrue(updated.contains("changed=handlers") && updated.contains("handlers now instrumented"), updated);
            serve(app, REQUESTS);
            AgentEvent e = AgentEvent.parse(app.awaitLine(l -> l.contains("event=client_per_request"),
                    Duration.ofSeconds(10)));
            assertEquals(frame("Handler.fetch", "SITE:own"), e.get("site"), e::toString);
            assertEquals(frame("Handler.serve", "HANDLER:own"), e.get("handler"), e::toString);
            assertEquals(REQUESTS, e.getLong("built_total"), () -> "only the clients built after the re-attach: " + e);
        } finally {
            app.kill();
        }
    }

    private static void attach(Path jdk, String pid, String options) throws Exception {
        ForkedJvm attach = new ForkedJvm(jdk).jar(ForkedJvm.agentJar(), "attach", pid, options);
        assertEquals(0, attach.run(Duration.ofSeconds(60)), attach::stderr);
    }

    private static ForkedJvm start(ForkedJvm jvm) throws Exception {
        jvm.mainClass(OwnRequestLoop.class).start();
        jvm.awaitLine(l -> l.equals("ready"), Duration.ofSeconds(20));
        return jvm;
    }

    private static void serve(ForkedJvm jvm, int n) throws Exception {
        long before = jvm.stdout().lines().filter(l -> l.startsWith("served " + n + " ")).count();
        jvm.send("serve " + n);
        jvm.await("'serve " + n + "' to finish", Duration.ofSeconds(30),
                () -> jvm.stdout().lines().filter(l -> l.startsWith("served " + n + " ")).count(), count -> count > before);
        assertTrue(jvm.stdout().contains("served " + n + " ok=" + n + "\n"), jvm::stdout);
    }

    /**
     * Waits for two periodic report summaries logged after this call: the reporter thread runs one
     * tick at a time (the client-site check, the evaluation, then the report), so the second one's
     * tick began after the first was logged, after everything the program did before this call.
     */
    private static void awaitEvaluationAfterNow(ForkedJvm jvm) throws Exception {
        long before = periodicSummaries(jvm);
        jvm.await("two periodic reports after the requests", Duration.ofSeconds(15), () -> periodicSummaries(jvm),
                count -> count >= before + 2);
    }

    private static long periodicSummaries(ForkedJvm jvm) throws Exception {
        return jvm.allLines().stream().filter(l -> l.contains("event=churn_report_summary reason=periodic")).count();
    }

    private static List<AgentEvent> perRequest(ForkedJvm jvm) throws Exception {
        return AgentEvent.named(jvm.agentEvents(), "client_per_request");
    }

    /** {@code OwnRequestLoop$<method>(OwnRequestLoop.java:<line of marker>)}. */
    private static String frame(String method, String marker) throws Exception {
        List<String> lines = Files.readAllLines(Paths.get("src/test/java/io/churnagent/it/programs/OwnRequestLoop.java"));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).endsWith("// " + marker)) {
                return PROGRAM + "$" + method + "(OwnRequestLoop.java:" + (i + 1) + ")";
            }
        }
        throw new AssertionError("no marker " + marker);
    }
}
