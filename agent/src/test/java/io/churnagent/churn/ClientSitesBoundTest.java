package io.churnagent.churn;

import io.churnagent.bootstrap.ClientBridge;
import io.churnagent.log.CapturedLog;
import io.churnagent.report.ClientSiteReporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 100,000 distinct client call sites inside handlers, through the real bridge and recorder: the
 * table keeps its cap, everything beyond is counted and said once as {@code other}, the busiest
 * sites stay exact, and the live heap the table holds stays under the documented cap.
 */
class ClientSitesBoundTest {

    private static final int MAX_SITES = 500; // AgentAssembly.MAX_CLIENT_SITES
    private static final int DISTINCT = 100_000;
    /** 500 sites, each a short stack of strings and a 60-slot window; documented in RELIABILITY.md. */
    static final long CAP_BYTES = 2L * 1024 * 1024;

    private final FakeTicker ticker = new FakeTicker();
    private final AtomicInteger siteLine = new AtomicInteger();
    private final ClientSiteTable table = new ClientSiteTable(MAX_SITES);
    private final ClientSiteRecorder recorder = new ClientSiteRecorder(table, depth -> stackAt(siteLine.get()),
            new RateLimiter(ticker, Integer.MAX_VALUE / 2, Integer.MAX_VALUE / 2), ticker);

    @AfterEach
    void uninstall() {
        ClientBridge.uninstall();
    }

    /** A servlet stack whose application frame is a distinct class and line for every {@code n}. */
    private static List<StackTraceElement> stackAt(int n) {
        List<StackTraceElement> frames = new ArrayList<>(TrimmedStackTest.servletStack());
        frames.set(5, new StackTraceElement("com.acme.generated.Client" + n, "fetch", "Client" + n + ".java", 10 + n % 1000));
        return frames;
    }

    private void buildAt(int site) {
        siteLine.set(site);
        Object token = ClientBridge.handlerEnter("com.acme.orders.OrderController", "get");
        int entered = ClientBridge.constructionEnter();
        ClientBridge.constructionExit(entered, "okhttp", null, null);
        ClientBridge.handlerExit(token);
    }

    @Test
    void aHundredThousandDistinctSitesKeepTheCapCountTheRestAsOtherAndSayItOnce() {
        ClientBridge.install(recorder);
        for (int hot = 0; hot < 3; hot++) {
            for (int i = 0; i < 50 - 10 * hot; i++) {
                buildAt(hot);
            }
        }
        long before = usedAfterGc();
        for (int i = 3; i < DISTINCT; i++) {
            buildAt(i);
            if (i % 1000 == 0) {
                ticker.advanceMillis(10);
            }
        }
        long retained = usedAfterGc() - before;
        System.out.println("client sites: distinct=" + DISTINCT + " kept=" + table.all().size() + " other="
                + table.overflowed() + " retained_bytes=" + retained);
        assertEquals(MAX_SITES, table.all().size());
        assertEquals(DISTINCT - MAX_SITES, table.overflowed());
        assertEquals(DISTINCT - MAX_SITES, recorder.notCaptured(), "counted as not recorded too");
        assertTrue(retained < CAP_BYTES, "retained " + retained);
        List<ClientSite> top = table.all();
        for (int hot = 0; hot < 3; hot++) {
            assertEquals("com.acme.generated.Client" + hot + ".fetch(Client" + hot + ".java:" + (10 + hot) + ")",
                    top.get(hot).site());
            assertEquals(50 - 10 * hot, top.get(hot).total());
        }

        CapturedLog logged = new CapturedLog();
        ClientSiteReporter reporter = new ClientSiteReporter(table, logged.logger(), 1_000_000, 60_000_000_000L, ticker);
        reporter.run();
        buildAt(DISTINCT + 1);
        reporter.run();
        List<String> messages = logged.messages();
        assertEquals(1, messages.stream().filter(m -> m.startsWith("event=client_sites_full ")).count(),
                () -> String.valueOf(messages));
        String line = messages.get(0);
        assertTrue(line.contains("max_sites=500 other=" + (DISTINCT - MAX_SITES) + " "), line);
    }

    /** Each heap pool's usage at the end of the last full GC (System.gc() is one on the default GCs). */
    private static long usedAfterGc() {
        System.gc();
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used;
    }
}
