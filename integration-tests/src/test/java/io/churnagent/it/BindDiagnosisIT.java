package io.churnagent.it;

import io.churnagent.it.programs.FailingBinds;
import io.churnagent.it.programs.Listener;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failed server binds are diagnosed with what the kernel shows: another process's listener by pid
 * and command line, TIME_WAIT leftovers with the missing SO_REUSEADDR, an address that is not
 * local with the local ones; the application's exceptions are the same as without the agent.
 */
class BindDiagnosisIT {

    @OnEachJdk
    void aPortHeldByAnotherProcessNamesThatProcess(Path jdk) throws Exception {
        ForkedJvm listener = new ForkedJvm(jdk).mainClass(Listener.class).start();
        try {
            String line = listener.awaitLine(l -> l.startsWith("listening on "), Duration.ofSeconds(30));
            String port = line.substring("listening on ".length()).trim();
            ForkedJvm app = new ForkedJvm(jdk).withAgent("").mainClass(FailingBinds.class, "held", port);
            assertEquals(0, app.run(Duration.ofSeconds(60)), app::stderr);
            assertEquals(List.of("app saw: java.net.BindException: Address already in use",
                    "app saw: java.net.BindException: Address already in use",
                    "app saw: java.net.BindException: Cannot assign requested address"),
                    app.stdout().lines().collect(Collectors.toList()), "the application's exceptions are untouched");
            List<AgentEvent> binds = bindFailures(app);
            for (String address : new String[] {"127.0.0.1:" + port, "0.0.0.0:" + port}) {
                AgentEvent e = binds.stream().filter(b -> address.equals(b.fields.get("address"))).findFirst()
                        .orElseThrow(() -> new AssertionError("no bind_failure for " + address + ": " + app.stderr()));
                assertEquals("ERROR", e.level, e::toString);
                assertEquals("Address already in use", e.get("error"), e::toString);
                assertEquals("1", e.get("listeners"), e::toString);
                assertEquals(Long.toString(listener.pid()), e.get("holder_pid"), e::toString);
                assertTrue(e.get("holder_command").contains(Listener.class.getName()), e::toString);
            }
            assertTrue(app.stderr().contains("A server listens on 127.0.0.1:" + port + " (uid "), app::stderr);
            AgentEvent notLocal = binds.stream().filter(b -> ("203.0.113.7:" + port).equals(b.fields.get("address"))).findFirst()
                    .orElseThrow(() -> new AssertionError(app.stderr()));
            assertEquals("Cannot assign requested address", notLocal.get("error"));
            assertTrue(notLocal.get("local_addresses").contains("127.0.0.1(lo)"), notLocal::toString);
            assertTrue(app.stderr().contains("Bind to 0.0.0.0 or :: (every interface)"), app::stderr);
        } finally {
            listener.kill();
        }
    }

    /**
     * In a private network namespace: the counts of TIME_WAIT and listeners are the kernel's, and the
     * machine's table holds whatever the other tests left on that port.
     */
    @OnEachJdk
    void timeWaitLeftoversWithoutSoReuseAddrAreDiagnosedAsSuch(Path jdk) throws Exception {
        ForkedJvm app = new ForkedJvm(jdk).inPrivateNetwork().withAgent("").mainClass(FailingBinds.class, "time-wait");
        assertEquals(0, app.run(Duration.ofSeconds(60)), app::stderr);
        List<String> out = app.stdout().lines().collect(Collectors.toList());
        // What Linux does: without SO_REUSEADDR a server cannot bind over TIME_WAIT; with it, it can.
        assertEquals("app saw: java.net.BindException: Address already in use", out.get(0), app::stdout);
        assertEquals("app saw: java.net.BindException: Address already in use", out.get(1), app::stdout);
        assertTrue(out.get(2).startsWith("with SO_REUSEADDR: bound "), app::stdout);
        List<AgentEvent> binds = bindFailures(app);
        assertEquals(2, binds.size(), app::stderr);
        for (AgentEvent e : binds) {
            assertEquals("false", e.get("reuse_address"), e::toString);
            assertEquals("0", e.get("listeners"), e::toString);
            assertTrue(e.getLong("time_wait") >= 1, e::toString);
            assertTrue(!e.fields.containsKey("holder_pid"), e::toString);
        }
        assertTrue(app.stderr().contains("only leftovers of earlier connections hold it"), app::stderr);
        assertTrue(app.stderr().contains("This socket did not set SO_REUSEADDR, which is the fix"), app::stderr);
    }

    private static List<AgentEvent> bindFailures(ForkedJvm app) throws Exception {
        return app.agentEvents().stream().filter(e -> "bind_failure".equals(e.event())).collect(Collectors.toList());
    }
}
