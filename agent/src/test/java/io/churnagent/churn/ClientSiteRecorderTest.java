package io.churnagent.churn;

import io.churnagent.bootstrap.ClientBridge;
import io.churnagent.bootstrap.ClientOrigin;
import io.churnagent.bootstrap.HandlerFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Site table, threshold, rate limits and pool dedupe, driven through the real bridge with fake stacks. */
class ClientSiteRecorderTest {

    private static final long MINUTE = 60_000_000_000L;

    private final FakeTicker ticker = new FakeTicker();
    private List<StackTraceElement> stack = TrimmedStackTest.servletStack();
    private final ClientSiteTable table = new ClientSiteTable(3);
    private final ClientSiteRecorder recorder = new ClientSiteRecorder(table, depth -> stack,
            new RateLimiter(ticker, 1000, 1000), ticker);

    @AfterEach
    void uninstall() {
        ClientBridge.uninstall();
    }

    /** Builds a client the way the advice does: inside a handler, nested constructors counting once. */
    private void buildInHandler(String family, Object pool) {
        Object token = ClientBridge.handlerEnter("com.acme.orders.OrderController", "get");
        int outer = ClientBridge.constructionEnter();
        int inner = ClientBridge.constructionEnter();
        ClientBridge.constructionExit(inner, family, null, pool);
        ClientBridge.constructionExit(outer, family, null, pool);
        ClientBridge.handlerExit(token);
    }

    @Test
    void moreThanTheThresholdInAMinuteWarnsOnceNamingSiteAndHandler() {
        ClientBridge.install(recorder);
        for (int i = 0; i < 10; i++) {
            buildInHandler("okhttp", null);
            ticker.advanceMillis(100);
        }
        assertTrue(table.due(ticker.nanoTime(), 10, MINUTE).isEmpty(), "10 is not more than 10");
        buildInHandler("okhttp", null);
        List<ClientPerRequest> due = table.due(ticker.nanoTime(), 10, MINUTE);
        assertEquals(1, due.size());
        ClientPerRequest e = due.get(0);
        assertEquals("com.acme.orders.PriceClient.fetch(PriceClient.java:42)", e.site().site());
        assertEquals("com.acme.orders.OrderController.get(OrderController.java:17)", e.site().handler());
        assertEquals("okhttp", e.site().family());
        assertEquals(11, e.builtLastMinute(), "nested constructors counted once");
        assertEquals(10, e.threshold());
        buildInHandler("okhttp", null);
        assertTrue(table.due(ticker.nanoTime(), 10, MINUTE).isEmpty(), "rate-limited per site");
        ticker.advanceMillis(60_000);
        for (int i = 0; i < 11; i++) {
            buildInHandler("okhttp", null);
        }
        assertEquals(1, table.due(ticker.nanoTime(), 10, MINUTE).size(), "again after the interval");
    }

    @Test
    void theWindowForgetsConstructionsOlderThanAMinute() {
        ClientBridge.install(recorder);
        for (int i = 0; i < 8; i++) {
            buildInHandler("jdk-httpclient", null);
        }
        ticker.advanceMillis(61_000);
        for (int i = 0; i < 8; i++) {
            buildInHandler("jdk-httpclient", null);
        }
        assertEquals(8, table.all().get(0).lastMinute(ticker.nanoTime()));
        assertEquals(16, table.all().get(0).total());
        assertTrue(table.due(ticker.nanoTime(), 10, MINUTE).isEmpty());
    }

    @Test
    void clientsBuiltOutsideHandlersAreCountedButNeverSites() {
        ClientBridge.install(recorder);
        for (int i = 0; i < 50; i++) {
            int entered = ClientBridge.constructionEnter();
            ClientBridge.constructionExit(entered, "jdk-httpclient", null);
        }
        assertTrue(table.all().isEmpty());
        assertEquals(50L, recorder.builtByFamily().get("jdk-httpclient"));
    }

    @Test
    void aClientOnAPoolSeenBeforeIsNotANewClient() {
        ClientBridge.install(recorder);
        Object sharedPool = new Object();
        int entered = ClientBridge.constructionEnter();
        ClientBridge.constructionExit(entered, "okhttp", null, sharedPool); // the shared client, at start-up
        for (int i = 0; i < 20; i++) {
            buildInHandler("okhttp", sharedPool); // newBuilder().build(): same pool
        }
        assertTrue(table.all().isEmpty());
        assertEquals(20, recorder.sharedPoolConstructions());
        assertEquals(1L, recorder.builtByFamily().get("okhttp"));
    }

    /** A WebClient's build around Reactor Netty's provider: the provider (internal) names the pool. */
    private void webClientInHandler(Object http1Provider) {
        Object token = ClientBridge.handlerEnter("com.acme.orders.OrderController", "get");
        int build = ClientBridge.constructionEnter("spring-webclient");
        int provider = ClientBridge.constructionEnter(ClientBridge.INTERNAL);
        ClientBridge.constructionExit(provider, ClientBridge.INTERNAL, null, ClientBridge.reactorPool(http1Provider));
        ClientBridge.constructionExit(build, "spring-webclient", null);
        ClientBridge.handlerExit(token);
    }

    @Test
    void aWebClientPerRequestOverTheGlobalPoolIsNotANewClientButOneOverAPoolOfItsOwnIs() {
        ClientBridge.install(recorder);
        for (int i = 0; i < 20; i++) {
            webClientInHandler(null); // WebClient.create(): HttpClient.create(), the global pool
        }
        assertEquals(19, recorder.sharedPoolConstructions(), "the first one saw the global pool first");
        for (int i = 0; i < 20; i++) {
            webClientInHandler(new Object()); // a ConnectionProvider per request
        }
        assertEquals(19, recorder.sharedPoolConstructions());
        assertEquals(21L, recorder.builtByFamily().get("spring-webclient"));
    }

    @Test
    void aFailedConstructionIsNotReportedAndLeavesNoDepthBehind() {
        ClientBridge.install(recorder);
        Object token = ClientBridge.handlerEnter("H", "handle");
        int entered = ClientBridge.constructionEnter();
        ClientBridge.constructionExit(entered, "jdbc", new java.sql.SQLException("refused"));
        ClientBridge.handlerExit(token);
        assertTrue(table.all().isEmpty());
        buildInHandler("jdbc", null);
        assertEquals(1, table.all().size(), "the next construction is outermost again");
    }

    @Test
    void aConstructorThatThrewLeaksItsDepthOnlyUntilTheHandlerReturns() {
        ClientBridge.install(recorder);
        Object token = ClientBridge.handlerEnter("H", "handle");
        ClientBridge.constructionEnter(); // constructor advice never sees the exit of a throwing constructor
        ClientBridge.handlerExit(token);
        buildInHandler("jetty-httpclient", null);
        assertEquals(1, table.all().size());
    }

    @Test
    void captureIsRateLimitedAndCounted() {
        ClientSiteRecorder limited = new ClientSiteRecorder(table, depth -> stack, new RateLimiter(ticker, 1, 1), ticker);
        ClientBridge.install(limited);
        for (int i = 0; i < 5; i++) {
            buildInHandler("okhttp", null);
        }
        assertEquals(1, table.all().get(0).total());
        assertEquals(4, limited.notCaptured());
    }

    @Test
    void distinctSitesAreCappedAndTheOverflowCounted() {
        ClientBridge.install(recorder);
        for (int line = 1; line <= 5; line++) {
            stack = List.of(TrimmedStackTest.frame("com.acme.Api", "call", line));
            buildInHandler("okhttp", null);
        }
        assertEquals(3, table.all().size());
        assertEquals(2, table.overflowed());
    }

    @Test
    void handlersNestAndTheInnermostIsCurrent() {
        ClientBridge.install(recorder);
        Object outer = ClientBridge.handlerEnter("javax.servlet.http.HttpServlet", "service");
        Object inner = ClientBridge.handlerEnter("com.acme.Api", "handle");
        HandlerFrame current = ClientBridge.currentHandler();
        assertEquals("com.acme.Api.handle", current.label());
        assertEquals("javax.servlet.http.HttpServlet.service", current.outer().label());
        ClientBridge.handlerExit(inner);
        assertEquals("javax.servlet.http.HttpServlet.service", ClientBridge.currentHandler().label());
        ClientBridge.handlerExit(outer);
        assertNull(ClientBridge.currentHandler());
    }

    @Test
    void aRequestStartsOncePerOutermostHandler() {
        int[] requests = new int[1];
        ObserverSlot slot = new ObserverSlot(depth -> stack, null);
        slot.install(new ChurnObserver() {
            @Override
            public void connected(DestinationStats destination, TrimmedStack site) {
            }

            @Override
            public void closed(DestinationStats destination) {
            }

            @Override
            public void clientBuilt(String family, String handler, TrimmedStack s) {
            }

            @Override
            public void requestStarted() {
                requests[0]++;
            }
        });
        ClientBridge.install(new ClientSiteRecorder(table, depth -> stack, new RateLimiter(ticker, 1000, 1000), ticker, slot));
        for (int i = 0; i < 3; i++) {
            Object outer = ClientBridge.handlerEnter("javax.servlet.http.HttpServlet", "service");
            Object inner = ClientBridge.handlerEnter("com.acme.Api", "handle"); // the same request, nested
            ClientBridge.handlerExit(inner);
            ClientBridge.handlerExit(outer);
        }
        assertEquals(3, requests[0]);
    }

    @Test
    void threadsStartedWhileAClientIsBuiltInheritItsSite() throws Exception {
        ClientBridge.install(recorder);
        Object token = ClientBridge.handlerEnter("H", "handle");
        int entered = ClientBridge.constructionEnter();
        Object[] seen = new Object[1];
        Thread selector = new Thread(() -> seen[0] = ClientBridge.inheritedOriginSite());
        ClientBridge.constructionExit(entered, "okhttp", null, null); // site captured at exit
        selector.start();
        selector.join();
        ClientBridge.handlerExit(token);
        assertNotNull(seen[0]);
        assertEquals("com.acme.orders.PriceClient.fetch(PriceClient.java:42)", ((TrimmedStack) seen[0]).site());
        assertNull(ClientBridge.inheritedOriginSite(), "the handler's exit restores the thread's origin");
    }

    @Test
    void jdkClientThreadsAreFoundByTheClientIdInTheirNames() {
        assertEquals("HttpClient-7-", JdkClientThreads.prefixOf("jdk.internal.net.http.HttpClientImpl@1b2c3d(7)"));
        assertNull(JdkClientThreads.prefixOf("okhttp3.OkHttpClient@1b2c3d"));
        ClientBridge.install(recorder);
        Object client = new Object() {
            @Override
            public String toString() {
                return "jdk.internal.net.http.HttpClientImpl@1b2c3d(7)";
            }
        };
        Object token = ClientBridge.handlerEnter("H", "handle");
        int entered = ClientBridge.constructionEnter();
        ClientBridge.constructionExit(entered, "jdk-httpclient", null, client);
        ClientBridge.handlerExit(token);
        assertEquals("com.acme.orders.PriceClient.fetch(PriceClient.java:42)",
                recorder.originOfThread("HttpClient-7-SelectorManager").site());
        assertEquals("com.acme.orders.PriceClient.fetch(PriceClient.java:42)",
                recorder.originOfThread("HttpClient-7-Worker-3").site());
        assertNull(recorder.originOfThread("HttpClient-70-Worker-0"));
        assertNull(recorder.originOfThread("main"));
    }

    @Test
    void nothingIsRecordedWithoutAnInstalledSink() {
        List<Object> calls = new ArrayList<>();
        assertNull(ClientBridge.handlerEnter("H", "handle"));
        assertEquals(ClientBridge.NOT_COUNTED, ClientBridge.constructionEnter());
        ClientBridge.constructionExit(ClientBridge.NOT_COUNTED, "okhttp", null);
        assertTrue(calls.isEmpty());
        assertTrue(table.all().isEmpty());
    }

    @Test
    void aThrowingSinkIsDroppedAfterTooManyFaults() {
        ClientBridge.install((family, handler, resource, origin) -> {
            throw new IllegalStateException("broken");
        });
        for (int i = 0; i < ClientBridge.MAX_FAULTS + 10; i++) {
            int entered = ClientBridge.constructionEnter();
            ClientBridge.constructionExit(entered, "okhttp", null);
        }
        assertTrue(!ClientBridge.installed());
        assertTrue(ClientBridge.lastFault() instanceof IllegalStateException);
    }

    @SuppressWarnings("unused")
    private static ClientOrigin unused() {
        return null;
    }
}
