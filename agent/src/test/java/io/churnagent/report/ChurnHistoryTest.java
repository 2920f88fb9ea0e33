package io.churnagent.report;

import io.churnagent.churn.Judged;
import io.churnagent.kernel.SocketTableCache;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.kernel.TcpSocketTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTML report's history: one sample per 2 s, a fixed number of slots and samples, kernel figures only as held. */
class ChurnHistoryTest {

    private static final long S = 1_000_000_000L;

    private final long[] now = {0};
    private final DestinationTable table = new DestinationTable(20_000);
    private final ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(12), () -> now[0]);
    private final ChurnMonitor monitor = new ChurnMonitor(table, () -> now[0],
            new ModelSettings(1_000, 0.5, 0.8, 60 * S, S));
    private int localPort = 40_000;

    private void churn(int destination, int connections) throws Exception {
        InetAddress a = InetAddress.getByAddress(new byte[] {10, 0, (byte) (destination >> 8), (byte) destination});
        for (int i = 0; i < connections; i++) {
            int port = 1024 + (localPort++ % 60_000);
            tracker.connected(a, 8080, port, InetSocketAddress.createUnresolved("svc" + destination, 8080));
            tracker.closing(a, 8080, port);
        }
    }

    private List<DestinationFigures> tick(ChurnHistory history) {
        now[0] += S;
        monitor.tick();
        List<DestinationFigures> figures = monitor.latest();
        history.afterTick(Judged.all(figures), List.of(), List.of());
        return figures;
    }

    @Test
    void oneSampleEveryTwoSecondsOfTheTopDestinationsWithTheirRates() throws Exception {
        ChurnHistory history = new ChurnHistory(10, null, () -> now[0], () -> now[0] / 1_000_000L);
        for (int s = 0; s < 10; s++) {
            churn(1, 20);
            tick(history);
        }
        ChurnHistory.Snapshot snapshot = history.snapshot();
        assertEquals(1, snapshot.series().size());
        ChurnHistory.Series series = snapshot.series().get(0);
        assertEquals(5, series.size(), "ticks at 1..10 s, samples at 1, 3, 5, 7, 9 s");
        assertEquals(2_000, series.timeMillis(1) - series.timeMillis(0));
        assertEquals(20, series.connectsPerSecond(4), 0.01);
        assertEquals(20, series.closesPerSecond(4), 0.01);
        assertEquals(1_200, series.projectedTimeWait(4), "20/s x 60 s");
        assertEquals(ChurnHistory.UNKNOWN, series.observedTimeWait(4), "no kernel table");
        assertEquals(1_000, snapshot.capacity());
    }

    @Test
    void memoryIsBoundedWhateverTheApplicationDoes() throws Exception {
        ChurnHistory history = new ChurnHistory(1_000, null, () -> now[0], () -> now[0] / 1_000_000L);
        assertEquals(ChurnHistory.MAX_DESTINATIONS, history.destinations(), "report.top=1000 is capped");
        long arraysBefore = arrayBytes(history);
        // 750 samples (25 minutes: the ring wraps twice) while the top keeps changing among 1,000 destinations
        for (int s = 0; s < 1_500; s++) {
            for (int k = 0; k < 20; k++) {
                churn((s * 7 + k * 131) % 1_000, 1 + (k % 3));
            }
            tick(history);
        }
        ChurnHistory.Snapshot snapshot = history.snapshot();
        assertTrue(snapshot.samplesTaken() >= 700, () -> "samples: " + snapshot.samplesTaken());
        assertTrue(snapshot.series().size() <= ChurnHistory.MAX_DESTINATIONS, () -> "" + snapshot.series().size());
        for (ChurnHistory.Series series : snapshot.series()) {
            assertTrue(series.size() <= ChurnHistory.SAMPLES, () -> "" + series.size());
        }
        assertEquals(arraysBefore, arrayBytes(history), "a sample allocates nothing that it keeps");
        assertTrue(arraysBefore <= ChurnHistory.boundBytes(1_000), arraysBefore + " > " + ChurnHistory.boundBytes(1_000));
        assertEquals(95_488, ChurnHistory.boundBytes(1_000), "the figure stated in the class comment");
        assertTrue(table.size() > 900, "many destinations were seen");
    }

    @Test
    void aDestinationThatEntersTheTopTakesTheSlotOfTheOneThatLeftItLongestAgo() throws Exception {
        ChurnHistory history = new ChurnHistory(2, null, () -> now[0], () -> now[0] / 1_000_000L);
        for (int s = 0; s < 4; s++) {
            churn(1, 20);
            churn(2, 50);
            tick(history);
        }
        for (int s = 0; s < 80; s++) { // 3 churns more than 1 ever did, 2 stays first
            churn(3, 30);
            churn(2, 50);
            tick(history);
        }
        ChurnHistory.Snapshot snapshot = history.snapshot();
        assertEquals(2, snapshot.series().size());
        assertNull(snapshot.of(table.all().get(0)), "destination 1 left the top first and lost its slot");
        assertTrue(snapshot.of(table.all().get(1)).size() > snapshot.of(table.all().get(2)).size(),
                "destination 2 kept its history");
    }

    @Test
    void theObservedTimeWaitComesOnlyFromATableTheCacheAlreadyHoldsAndIsRecent(@TempDir Path proc) throws Exception {
        Files.createDirectories(proc.resolve("net"));
        Files.write(proc.resolve("net/tcp"), List.of("  sl  local_address rem_address   st",
                "   0: 0100007F:9C40 0000000A:1F90 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0",
                "   1: 0100007F:9C41 0000000A:1F90 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0"));
        int[] reads = {0};
        SocketTableCache cache = new SocketTableCache(max -> {
            reads[0]++;
            return TcpSocketTable.read(proc);
        }, 900, () -> now[0]);
        ChurnHistory history = new ChurnHistory(5, cache, () -> now[0], () -> now[0] / 1_000_000L);
        churn(0, 10); // 10.0.0.0:8080, which the fake table holds two TIME_WAIT sockets to
        tick(history);
        assertEquals(0, reads[0], "the history never reads the table itself");
        cache.get(); // the reporter reads it for a warning
        now[0] += S;
        churn(0, 10);
        tick(history);
        for (int s = 0; s < 4; s++) { // then nobody reads it for 5 s: too old
            churn(0, 10);
            tick(history);
        }
        assertEquals(1, reads[0]);
        ChurnHistory.Series series = history.snapshot().series().get(0);
        assertEquals(ChurnHistory.UNKNOWN, series.observedTimeWait(0), "before any read");
        assertEquals(2, series.observedTimeWait(1), "the held table, read 1 s before");
        assertEquals(ChurnHistory.UNKNOWN, series.observedTimeWait(series.size() - 1), "read 5 s before: unknown");
    }

    /** The bytes of every array the history holds (its fields and the arrays inside them). */
    private static long arrayBytes(ChurnHistory history) throws Exception {
        long total = 0;
        for (Field f : ChurnHistory.class.getDeclaredFields()) {
            if (!f.getType().isArray() || java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            f.setAccessible(true);
            total += bytes(f.get(history));
        }
        return total;
    }

    private static long bytes(Object array) {
        Class<?> c = array.getClass().getComponentType();
        int n = Array.getLength(array);
        if (c.isArray()) {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += bytes(Array.get(array, i));
            }
            return sum;
        }
        int each = c == long.class || c == double.class ? 8 : c == byte.class || c == boolean.class ? 1
                : c == short.class || c == char.class ? 2 : c.isPrimitive() ? 4 : 8;
        return (long) n * each;
    }
}
