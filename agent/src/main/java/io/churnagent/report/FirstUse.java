package io.churnagent.report;

import io.churnagent.log.Logfmt;
import io.churnagent.churn.StackSource;
import io.churnagent.kernel.SocketCounts;
import io.churnagent.kernel.TcpSocketTable;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs, once and early, the agent's paths that first run long after start-up and load JDK classes
 * when they do: a stack capture (the first client built or connection sampled), the first read of
 * the kernel's socket table (the first report, 60 s in, or the first warning), the kernel fallback's
 * first warning and owner search, and the first decimal in a log line. Stateless but for the once-flag.
 *
 * <p>Why: in a hot application, a class that loads late can make the JIT throw away compiled code of
 * the application's that relied on the class hierarchy as it was (a second implementation of an
 * interface, an override of a stream method), and compile it again, on the application's cores. With
 * {@code -XX:+LogCompilation} in the keep-alive HTTP benchmark, the first connection the agent sampled
 * 78 s in loaded the JDK's stack-walking and stream classes ({@code SliceOps$1}, a
 * {@code BooleanSupplier} lambda of {@code StreamSpliterators}), and the JDK HTTP client's compiled
 * code that counted on its own {@code BooleanSupplier} being the only one was made not entrant; the
 * first report loaded {@code ManagementFactory}'s stream classes, and the first decimal
 * {@code FormattedFloatingDecimal} and {@code DecimalFormatSymbols} with their {@code IntStream}
 * classes. Run at start-up (the {@code first_use} phase, after the reporting starts and before the
 * {@code agent_started} line), the same loads happen while the application's JIT is still warming up
 * anyway; after a dynamic attach, together with the retransformation's own recompiles.
 */
public final class FirstUse {

    private static final AtomicBoolean DONE = new AtomicBoolean();

    /** CPU budget of the rehearsal's socket-table read: enough to load its classes, not to read a big table. */
    private static final long TABLE_READ_CPU_NANOS = 2_000_000L;

    private FirstUse() {
    }

    /**
     * Runs each rehearsal once per JVM (later calls do nothing); never throws, and a step that fails
     * is skipped: the real path says what is wrong when it runs.
     */
    public static void rehearse(Path procRoot) {
        if (!DONE.compareAndSet(false, true)) {
            return;
        }
        try {
            StackSource.rehearse();
        } catch (Throwable ignored) {
            // the capture itself counts its failures
        }
        try {
            // the kernel fallback and doctor rank destinations by TIME_WAIT: List.sort loads TimSort
            TcpSocketTable.readWithin(procRoot, TABLE_READ_CPU_NANOS).topByTimeWait(1);
            TcpSocketTable.unavailable().topByTimeWait(1);
            SocketCounts.read(procRoot);
        } catch (Throwable ignored) {
            // no /proc: the reporter says so once
        }
        try {
            UnseenChurnLog.rehearse(procRoot);
        } catch (Throwable ignored) {
            // the kernel fallback says what is wrong when it runs
        }
        try {
            HtmlReport.render(new HtmlReport.Header("rehearsal", "rehearsal", 0, 0.5, 0.8, "live"),
                    ChurnHistory.Snapshot.empty(), java.util.List.of(), null, 1);
        } catch (Throwable ignored) {
            // the page says what is wrong when it is asked for
        }
        try {
            // JDK 17: compiled code of a direct buffer's accessor loads ScopedMemoryAccess$Scope the first
            // time it runs (a JIT stub resolving the class; never interpreted, checked with -Xint), so on
            // whichever call the JIT gets there, late paths included (CI, 2026-12-07, reading the JDK image)
            Class.forName("jdk.internal.misc.ScopedMemoryAccess$Scope", false, null);
        } catch (Throwable ignored) {
            // JDK 19 and later: no such class
        }
        try {
            Logfmt.decimal(0.5, 1);
            String.format(Locale.ROOT, "%d%% %s", 1, "rehearsal");
        } catch (Throwable ignored) {
            // cannot happen with these arguments
        }
    }
}
