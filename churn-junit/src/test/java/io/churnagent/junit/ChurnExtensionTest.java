package io.churnagent.junit;

import example.shop.GatewayFixtures;
import example.shop.SocketFixtures;
import example.spring.SpringFixtures;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import static io.churnagent.junit.FixtureRuns.assertContains;
import static io.churnagent.junit.FixtureRuns.assertPassed;
import static io.churnagent.junit.FixtureRuns.failureOf;
import static io.churnagent.junit.FixtureRuns.lineOf;
import static io.churnagent.junit.FixtureRuns.parallel;
import static io.churnagent.junit.FixtureRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real test classes (the fixtures in {@code example.*}) run through the JUnit Platform test kit in
 * this JVM, with the real agent loaded into it by the extension: the churning ones must fail with
 * the agent's warning naming the fixture's line, the pooled ones must pass.
 */
class ChurnExtensionTest {

    @Test
    void aClientBuiltInAHandlerFailsTheTestAtItsLine() throws Exception {
        EngineExecutionResults results = run(GatewayFixtures.ClientPerRequest.class);
        String site = "site=example.shop.Gateway.quote(" + lineOf("example/shop/Gateway.java", "churn-site") + ")";
        String failure = failureOf(results, "quotes");
        assertContains(failure, "ClientPerRequest.quotes: " + GatewayFixtures.REQUESTS
                        + " clients built inside request handlers at 1 site (@NoClientPerRequest)",
                "event=client_per_request", "family=jdk-httpclient", site, "built_total=" + GatewayFixtures.REQUESTS,
                "    at example.shop.Gateway.quote(", "Fix: build one HttpClient at startup and share it");
        String budget = failureOf(results, "quotesWithinABudget");
        assertContains(budget, "event=client_per_request", site,
                "(@ChurnBudget)", "connections per request (", "for " + 2 * GatewayFixtures.REQUESTS + " requests)",
                "event=churn_warning", "Fix: build one HttpClient at startup");
    }

    @Test
    void aSharedClientPassesTheSameChecks() {
        EngineExecutionResults results = run(GatewayFixtures.SharedClient.class);
        assertPassed(results, "quotesWithinABudget");
    }

    @Test
    void aConnectionPerCallBreaksMaxConnectionsAndNamesItsLine() throws Exception {
        EngineExecutionResults results = run(SocketFixtures.PerCall.class);
        String failure = failureOf(results, "connectionPerCall");
        assertContains(failure, "PerCall.connectionPerCall: " + SocketFixtures.CHURNED
                        + " connections to all destinations, at most 5 allowed (@MaxConnections)",
                "event=churn_warning", "connections=" + SocketFixtures.CHURNED, "closes=" + SocketFixtures.CHURNED,
                "max=5", SocketFixtures.CHURNED + " opened at example.shop.SocketFixtures.callOnce("
                        + lineOf("example/shop/SocketFixtures.java", "churn-site") + ")",
                "    at example.shop.SocketFixtures$PerCall.connectionPerCall(", "EADDRNOTAVAIL",
                "Fix: create one long-lived client");
        assertPassed(results, "oneConnection");
        assertContains(failureOf(results, "programmaticCheck"), "PerCall.programmaticCheck: 3 connections to 127.0.0.1:",
                "at most 0 allowed (@MaxConnections(to = \"127.0.0.1:", "connections=3", "closes=3");
    }

    @Test
    void parallelTestsEachGetTheirOwnThreadsConnections() {
        EngineExecutionResults results = run(SocketFixtures.Concurrent.class, parallel());
        assertContains(failureOf(results, "churnsOnAPool"), "connections=" + SocketFixtures.CHURNED, "max=5",
                "opened at example.shop.SocketFixtures.callOnce(");
        assertPassed(results, "opensOne");
    }

    @Test
    void virtualThreadsConnectionsAreTheirTests() {
        EngineExecutionResults results = run(SocketFixtures.VirtualThreads.class, parallel());
        if (Runtime.version().feature() < 21) {
            // JDK 17 has no virtual threads: the fixture's class is aborted by its assumption, no test runs
            assertEquals(1, results.containerEvents().aborted().count(), results.containerEvents().list().toString());
            assertEquals(0, results.testEvents().started().count());
            return;
        }
        assertContains(failureOf(results, "churnsOnVirtualThreads"), "connections=" + SocketFixtures.CHURNED, "max=5");
        assertPassed(results, "opensOne");
    }

    @Test
    void aSpringBootServiceWithAClientPerRequestFailsAtTheControllersLine() throws Exception {
        EngineExecutionResults results = run(SpringFixtures.ClientPerRequest.class);
        String failure = failureOf(results, "quotes");
        assertContains(failure, "built inside request handlers", "event=client_per_request", "family=jdk-httpclient",
                "site=example.spring.QuoteApp$QuoteController.quote(" + lineOf("example/spring/QuoteApp.java", "churn-site") + ")",
                "built_total=" + SpringFixtures.QUOTES, "(@ChurnBudget)", "for " + 2 * SpringFixtures.QUOTES + " requests)");
    }

    @Test
    void aSpringBootServiceWithASharedClientPasses() {
        assertPassed(run(SpringFixtures.SharedClient.class), "quotes");
    }

    @Test
    void theAgentRunsInThisJvmOnceTheExtensionRan() {
        run(SocketFixtures.PerCall.class);
        assertEquals(true, io.churnagent.InProcessAgent.active());
        assertEquals(Integer.getInteger("churnagent.test.expect.java", Runtime.version().feature()),
                Runtime.version().feature(), "the surefire execution runs on the JDK it says");
    }
}
