package io.churnagent;

import io.churnagent.bootstrap.ChurnBridge;
import io.churnagent.bootstrap.ClientBridge;
import io.churnagent.churn.ApplicationFrames;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ClientSiteRecorder;
import io.churnagent.churn.ClientSiteTable;
import io.churnagent.churn.ConnectSiteSampler;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationSites;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.HostShare;
import io.churnagent.churn.JdkClientThreads;
import io.churnagent.churn.ObserverSlot;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.churn.OpenSiteSamples;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.PortLimit;
import io.churnagent.churn.RateLimiter;
import io.churnagent.churn.StackSource;
import io.churnagent.churn.Ticker;
import io.churnagent.churn.TimeWaitSide;
import io.churnagent.cli.CommandLine;
import io.churnagent.config.AgentOptions;
import io.churnagent.config.Egress;
import io.churnagent.config.MainClass;
import io.churnagent.export.Exports;
import io.churnagent.instrument.InstrumentationInstaller;
import io.churnagent.kernel.Conntrack;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.SocketCounts;
import io.churnagent.kernel.SocketTableCache;
import io.churnagent.kernel.TcpSocketTable;
import io.churnagent.log.AgentLog;
import io.churnagent.log.DeferredErrors;
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
import io.churnagent.testing.FaultInjectingSink;
import org.slf4j.Logger;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.function.Supplier;

/**
 * The composition root: builds every part of a running agent through its constructors, in two
 * halves with their own lifetimes. {@link #instrument} builds what lives from the start until detach
 * (the tracker behind the bridge, the call-site recorders, the instrumentation: an
 * {@link Instrumented}); {@link #configure} builds what one set of options decides (the model
 * settings, the reporter thread and what runs on it, the exports, the live report: a
 * {@link Configured}, which a re-attach with new options replaces). Wires only: the order of the
 * steps and what is logged belong to {@link AgentLifecycle}, which calls this under its lock.
 *
 * <p>Links the {@code bootstrap} package: loaded only after the bridge is in the boot loader.
 */
final class AgentAssembly {

    private static final Path PROC = Paths.get("/proc");
    private static final Path CGROUP = Paths.get("/sys/fs/cgroup");
    /** The kernel's socket table is read at most this often (less often when it is large: see SocketTableCache). */
    private static final long KERNEL_READ_MIN_MILLIS = 900;
    /** Open-connection table size: 2^16 slots, 1 MiB. */
    private static final int OPEN_TABLE_LOG2 = 16;
    /** Stack captures for connect call sites (first sighting per destination, then sampled). */
    private static final int CONNECT_SAMPLES_PER_SECOND = 50;
    /**
     * Stack captures for clients built inside handlers; beyond it they are counted without a site. A
     * capture walks up to 256 frames (5-40 µs): at 50 a second that is at most 0.2 % of one core
     * however many clients a churning application builds (it was 200, 0.5 % of the CPU samples of a
     * client-per-request service; issue 35). The burst lets a start find its sites at once.
     */
    private static final int CLIENT_CAPTURES_PER_SECOND = 50;
    private static final int CLIENT_CAPTURE_BURST = 50;
    /** Distinct client call sites kept (each holds a short stack and a 60-slot window). */
    private static final int MAX_CLIENT_SITES = 500;

    private AgentAssembly() {
    }

    /**
     * Builds the tracker behind the bridge and installs the instrumentation, so that connections are
     * counted from here on; logs nothing (the log opens after this, so that counting starts sooner):
     * the instrumentation's errors wait in {@link Instrumented#errors} until it does.
     */
    static Instrumented instrument(Instrumentation inst, AgentOptions options, StartupPhases phases) {
        DestinationTable destinations = new DestinationTable(options.maxDestinations());
        DestinationSites destinationSites = new DestinationSites(destinations.indexLimit());
        JdkClientThreads clientThreads = new JdkClientThreads();
        // a connect with no application frame on its stack: the client that owns the thread says where it was built
        Supplier<Object> owningClient = () -> {
            Object inherited = ClientBridge.inheritedOriginSite();
            return inherited != null ? inherited : clientThreads.lookup(Thread.currentThread().getName());
        };
        ObserverSlot observers = new ObserverSlot(StackSource.WALKER, owningClient);
        ClientSiteRecorder clients = new ClientSiteRecorder(new ClientSiteTable(MAX_CLIENT_SITES), clientThreads,
                StackSource.WALKER, new RateLimiter(Ticker.SYSTEM, CLIENT_CAPTURES_PER_SECOND, CLIENT_CAPTURE_BURST),
                Ticker.SYSTEM, observers);
        ConnectSiteSampler sampler = new ConnectSiteSampler(destinationSites, StackSource.WALKER,
                new RateLimiter(Ticker.SYSTEM, CONNECT_SAMPLES_PER_SECOND, CONNECT_SAMPLES_PER_SECOND), owningClient)
                .keepingOpenSites(new OpenSiteSamples());
        ConnectionTracker tracker = new ConnectionTracker(destinations, new OpenConnectionTable(OPEN_TABLE_LOG2),
                Ticker.SYSTEM, sampler, observers);
        ApplicationFrames.setOwnPackages(MainClass.detect(), options.appPackages());
        FaultInjectingSink.Mode fault = FaultInjectingSink.mode(System.getProperty(FaultInjectingSink.PROPERTY));
        BridgeClock clock = BridgeClock.start();
        ChurnBridge.install(FaultInjectingSink.wrap(tracker, fault));
        ClientBridge.install(clients);
        DeferredErrors errors = new DeferredErrors("instrumentation", "(connections through it are not counted)");
        InstrumentationInstaller.Installed installed = InstrumentationInstaller.install(inst, options.handlers(),
                errors::report);
        phases.end("instrument");
        return new Instrumented(inst, tracker, clients, destinationSites, observers, clock, installed, errors,
                fault, options.maxDestinations(), phases.totalMillis());
    }

    /**
     * Wires and starts the reporting for {@code newOptions}, written to {@code newLog}; the parts of
     * {@code instrumented} it reports on outlive it.
     */
    static Configured configure(AgentOptions newOptions, AgentLog newLog, KernelSettings kernel,
                                Instrumented instrumented) {
        Logger newLogger = newLog.logger();
        ConnectionTracker tracker = instrumented.tracker;
        ClientSiteRecorder clients = instrumented.clients;
        DestinationSites destinationSites = instrumented.destinationSites;
        int capacity = capacity(newOptions, kernel);
        ModelSettings settings = new ModelSettings(capacity, egressLimit(newOptions.egress()), newOptions.warnRatio(),
                newOptions.criticalRatio(), newOptions.warnIntervalMillis() * 1_000_000L,
                newOptions.evaluateIntervalMillis() * 1_000_000L);
        // other processes' ports towards each destination, from the reporter's reads of the table
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
                .hostShare(hostShare)
                .build();
        Exports exports = Exports.start(newOptions, tracker, settings, kernelTable, clients.table(), newReporter, newLogger);
        // the kernel fallback: TIME_WAIT the hooks did not see (io_uring, JNI sockets, other processes)
        newReporter.addListener(UnseenChurnLog.of(settings, kernelTable, PROC, newLogger));
        // the HTML report's bounded history (sampled on the reporter thread; see ChurnHistory for its bound)
        ChurnHistory history = new ChurnHistory(newOptions.reportTop(), kernelTable, Ticker.SYSTEM,
                System::currentTimeMillis);
        newReporter.addListener(history);
        HtmlReportPage htmlPage = new HtmlReportPage(history, newReporter::latest, destinationSites, newOptions.reportTop(),
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
        return new Configured(newOptions, newLog, newReporter, exports, live);
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
