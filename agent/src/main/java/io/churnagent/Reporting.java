package io.churnagent;

import io.churnagent.bootstrap.ChurnBridge;
import io.churnagent.bootstrap.ClientBridge;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ClientSiteRecorder;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationSites;
import io.churnagent.churn.HostShare;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.PortLimit;
import io.churnagent.churn.Ticker;
import io.churnagent.churn.TimeWaitSide;
import io.churnagent.cli.CommandLine;
import io.churnagent.config.AgentOptions;
import io.churnagent.config.Egress;
import io.churnagent.config.MainClass;
import io.churnagent.export.Exports;
import io.churnagent.kernel.Conntrack;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.SocketCounts;
import io.churnagent.kernel.SocketTableCache;
import io.churnagent.kernel.TcpSocketTable;
import io.churnagent.log.LogEvent;
import io.churnagent.report.BindFailureLog;
import io.churnagent.report.ChurnHistory;
import io.churnagent.report.ChurnLogFormat;
import io.churnagent.report.ClientSiteReporter;
import io.churnagent.report.HtmlReportPage;
import io.churnagent.report.LiveReport;
import io.churnagent.report.Reporter;
import io.churnagent.report.UnseenChurnLog;
import io.churnagent.testing.ConntrackRoot;
import org.slf4j.Logger;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The agent's reporting for one set of options, wired: the model settings, the reporter thread and
 * what runs on it (client sites, bind failures, the kernel fallback, the HTML report's history),
 * the exports and the live-report MBean. {@link ActiveAgent} owns the lifecycle (start, a re-attach
 * with new options, detach) and builds a new one for each set of options; this class only wires.
 * Not thread-safe: ActiveAgent calls it under its own lock.
 */
final class Reporting {

    private static final Path PROC = Paths.get("/proc");
    private static final Path CGROUP = Paths.get("/sys/fs/cgroup");
    /** The kernel's socket table is read at most this often (less often when it is large: see SocketTableCache). */
    private static final long KERNEL_READ_MIN_MILLIS = 900;

    private final Reporter reporter;
    private final Exports exports;
    private final LiveReport live;

    private Reporting(Reporter reporter, Exports exports, LiveReport live) {
        this.reporter = reporter;
        this.exports = exports;
        this.live = live;
    }

    /**
     * Wires and starts the reporting for {@code newOptions}; the instrumentation's parts it reports on
     * ({@code tracker}, {@code clients}, {@code destinationSites}) outlive it.
     */
    static Reporting start(AgentOptions newOptions, Logger newLogger, KernelSettings kernel, ConnectionTracker tracker,
                           ClientSiteRecorder clients, DestinationSites destinationSites) {
        int capacity = capacity(newOptions, kernel);
        ModelSettings settings = new ModelSettings(capacity, egressLimit(newOptions.egress()), newOptions.warnRatio(),
                newOptions.criticalRatio(), newOptions.warnIntervalMillis() * 1_000_000L,
                newOptions.evaluateIntervalMillis() * 1_000_000L);
        // other processes' ports towards each destination, from the kernel fallback's reads of the table
        HostShare hostShare = new HostShare();
        ChurnMonitor monitor = new ChurnMonitor(tracker.destinations(), Ticker.SYSTEM, settings, hostShare);
        FaultWatch faultWatch = new FaultWatch(newLogger);
        ClientSiteReporter clientSites = new ClientSiteReporter(clients.table(), newLogger,
                newOptions.clientPerRequestThreshold(), newOptions.warnIntervalMillis() * 1_000_000L, Ticker.SYSTEM);
        // the reporter runs this before every evaluation; ClientSiteReporter never throws
        Runnable beforeTick = () -> {
            faultWatch.run();
            clientSites.run();
        };
        // one budgeted reader of /proc/net/tcp for the reporter and every export
        SocketTableCache kernelTable = new SocketTableCache(maxCpuNanos -> TcpSocketTable.readWithin(PROC, maxCpuNanos),
                () -> SocketCounts.read(PROC), KERNEL_READ_MIN_MILLIS, System::nanoTime, TcpSocketTable.threadCpuClock());
        Reporter newReporter = Reporter.builder(monitor, tracker, new ChurnLogFormat(kernel, destinationSites), newLogger,
                        kernelTable)
                .tickMillis(newOptions.evaluateIntervalMillis())
                .reportMillis(newOptions.reportIntervalMillis())
                .top(newOptions.reportTop())
                .beforeTick(beforeTick)
                .timeWaitSide(new TimeWaitSide(kernel.portRange().capacity(), newOptions.warnIntervalMillis() * 1_000_000L))
                .clients(clients)
                .walls(new io.churnagent.report.WallsLog(monitor, tracker, destinationSites, tracker.openSiteSamples(), newLogger,
                        Ticker.SYSTEM, PROC, () -> io.churnagent.kernel.ProcessLimits.read(PROC, CGROUP),
                        new io.churnagent.churn.ResourceWall(settings), new io.churnagent.churn.ResourceWall(settings),
                        newOptions.warnIntervalMillis() * 1_000_000L))
                .bindFailureLog(new BindFailureLog(tracker.bindFailures(), PROC, newLogger,
                        newOptions.warnIntervalMillis() * 1_000_000L, System::nanoTime))
                .conntrack(conntrackReader(), settings)
                .build();
        Exports exports = Exports.start(newOptions, monitor, tracker, settings, kernelTable, clients.table(),
                newReporter, newLogger);
        // the kernel fallback: TIME_WAIT the hooks did not see (io_uring, JNI sockets, other processes)
        newReporter.addListener(UnseenChurnLog.of(settings, kernelTable, PROC, newLogger, hostShare));
        // the HTML report's bounded history (sampled on the reporter thread; see ChurnHistory for its bound)
        ChurnHistory history = new ChurnHistory(newOptions.reportTop(), kernelTable, Ticker.SYSTEM,
                System::currentTimeMillis);
        newReporter.addListener(history);
        HtmlReportPage htmlPage = new HtmlReportPage(history, monitor, destinationSites, newOptions.reportTop(),
                CommandLine.version(), jvmDescription(), newOptions.warnRatio(), newOptions.criticalRatio());
        if (newOptions.htmlFile() != null) {
            newReporter.afterShutdownReport(htmlPage.atExit(newOptions.htmlFile(), newLogger));
        }
        newReporter.start();
        // the platform MBean server takes a few hundred ms to come up the first time: not on start-up's clock
        LiveReport live = new LiveReport(CommandLine.version(), newOptions.describe(),
                () -> String.join(System.lineSeparator(), newReporter.currentReport()), htmlPage);
        newReporter.runSoon(() -> {
            try {
                live.register();
            } catch (Throwable t) {
                newLogger.info("{}", LogEvent.of("jmx_unavailable").error(t)
                        .remark("('churn-agent.jar report' cannot read this JVM; the log still has every report)"));
            }
        });
        return new Reporting(newReporter, exports, live);
    }

    /** The live report ({@code report}'s text and page), also when JMX is unavailable. */
    LiveReport liveReport() {
        return live;
    }

    /** Stops the reporter thread (its shutdown report is unregistered) and closes every export. */
    void stop() {
        reporter.stop();
        exports.close();
    }

    /** {@code pid 4711 (com.acme.Main)}: the main class only, never the command's arguments. */
    private static String jvmDescription() {
        String main = MainClass.detect();
        return "pid " + ProcessHandle.current().pid() + (main == null ? "" : " (" + main + ")");
    }

    /** The egress hop to model beside this host's range, or null for none. */
    private static PortLimit egressLimit(Egress egress) {
        return egress.isLocal() ? null
                : new PortLimit(egress.name(), egress.ports(), egress.timeWaitSeconds() * 1_000_000_000L, egress.because());
    }

    /** Reads the conntrack table under /proc (or the test switch's directory, see {@link ConntrackRoot}). */
    private static java.util.function.Supplier<Conntrack> conntrackReader() {
        Path root = ConntrackRoot.orElse(PROC);
        return () -> Conntrack.read(root);
    }

    /** Ports per destination to model: the capacity option, else this host's range. */
    static int capacity(AgentOptions options, KernelSettings kernel) {
        return options.capacityOverride() > 0 ? options.capacityOverride() : kernel.portRange().capacity();
    }


    /** Says once when the bridge has dropped the tracker because it kept throwing. */
    private static final class FaultWatch implements Runnable {
        private final Logger log;
        private boolean reported;
        private boolean clientsReported;

        FaultWatch(Logger log) {
            this.log = log;
        }

        @Override
        public void run() {
            if (!reported && !ChurnBridge.installed() && ChurnBridge.faults() >= ChurnBridge.MAX_FAULTS) {
                reported = true;
                log.error("{}", LogEvent.of("agent_disabled").add("reason", "faults").add("faults", ChurnBridge.faults())
                        .add("last_error", String.valueOf(ChurnBridge.lastFault()))
                        .remark("(connection tracking stopped to protect the application)"));
            }
            if (!reported && !ChurnBridge.installed() && ChurnBridge.droppedAsSlow()) {
                reported = true;
                log.error("{}", LogEvent.of("agent_disabled").add("reason", "slow").add("slow_calls", ChurnBridge.slowCalls())
                        .add("slowest_ms", ChurnBridge.slowestCallNanos() / 1_000_000)
                        .add("limit_ms", ChurnBridge.DEFAULT_SLOW_CALL_MILLIS)
                        .remark("(connection tracking stopped: its calls held application threads too long)"));
            }
            if (!clientsReported && !ClientBridge.installed() && ClientBridge.faults() >= ClientBridge.MAX_FAULTS) {
                clientsReported = true;
                log.error("{}", LogEvent.of("agent_disabled").add("reason", "faults").add("part", "client_sites")
                        .add("faults", ClientBridge.faults()).add("last_error", String.valueOf(ClientBridge.lastFault()))
                        .remark("(client call sites are no longer recorded; connection tracking continues)"));
            }
        }
    }
}
