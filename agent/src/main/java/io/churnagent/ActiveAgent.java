package io.churnagent;

import io.churnagent.bootstrap.ChurnBridge;
import io.churnagent.bootstrap.ClientBridge;
import io.churnagent.churn.ApplicationFrames;
import io.churnagent.churn.ObserverSlot;
import io.churnagent.churn.ClientSiteRecorder;
import io.churnagent.churn.ClientSiteTable;
import io.churnagent.churn.ConnectSiteSampler;
import io.churnagent.churn.DestinationSites;
import io.churnagent.churn.RateLimiter;
import io.churnagent.churn.StackSource;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.HostShare;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.PortLimit;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.churn.Ticker;
import io.churnagent.churn.TimeWaitSide;
import io.churnagent.cli.AgentState;
import io.churnagent.cli.CommandLine;
import io.churnagent.config.MainClass;
import io.churnagent.config.AgentOptions;
import io.churnagent.config.Egress;
import io.churnagent.instrument.InstrumentationInstaller;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.SocketCounts;
import io.churnagent.kernel.TcpSocketTable;
import io.churnagent.report.BindFailureLog;
import io.churnagent.log.AgentLog;
import io.churnagent.testing.FaultInjectingSink;
import io.churnagent.report.ChurnLogFormat;
import io.churnagent.report.ChurnHistory;
import io.churnagent.report.ClientSiteReporter;
import io.churnagent.report.HtmlReportPage;
import io.churnagent.log.DeferredErrors;
import io.churnagent.export.Exports;
import io.churnagent.report.UnseenChurnLog;
import io.churnagent.report.FirstUse;
import io.churnagent.report.LiveReport;
import io.churnagent.log.LogEvent;
import io.churnagent.report.Reporter;
import io.churnagent.kernel.SocketTableCache;
import org.slf4j.Logger;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The running agent: the tracker behind the bridge and the instrumentation (which live until
 * detach), and the reporting built from the options (which a re-attach replaces). Created by
 * {@link AgentRuntime} after the bridge is in the boot loader; not thread-safe on its own (the
 * runtime serialises start, update and detach).
 */
final class ActiveAgent {

    /** Open-connection table size: 2^16 slots, 1 MiB. */
    private static final int OPEN_TABLE_LOG2 = 16;
    private static final Path PROC = Paths.get("/proc");
    /** The kernel's socket table is read at most this often (less often when it is large: see SocketTableCache). */
    private static final long KERNEL_READ_MIN_MILLIS = 900;
    /** Stack captures for connect call sites (first sighting per destination, then sampled). */
    private static final int CONNECT_SAMPLES_PER_SECOND = 50;
    /** Stack captures for clients built inside handlers; beyond it they are counted without a site. */
    private static final int CLIENT_CAPTURES_PER_SECOND = 200;
    /** Distinct client call sites kept (each holds a short stack and a 60-slot window). */
    private static final int MAX_CLIENT_SITES = 500;

    private final Instrumentation inst;
    private final ConnectionTracker tracker;
    private final int maxDestinations;
    private final ClientSiteRecorder clients;
    private final DestinationSites destinationSites;
    private final ObserverSlot observers;
    private volatile Logger log;
    /** Classes the instrumentation cannot weave, now or when they load later: written to the current log. */
    private final DeferredErrors instrumentationErrors =
            new DeferredErrors("instrumentation", "(connections through it are not counted)");
    private FaultInjectingSink.Mode fault;
    /** Milliseconds from the start until the instrumentation was active (connections counted). */
    private long instrumentedMillis;
    private InstrumentationInstaller.Installed installed;
    private AgentLog agentLog;
    private Reporter reporter;
    private Exports exports;
    private AgentOptions options;
    private BridgeClock clock;

    private ActiveAgent(Instrumentation inst, ConnectionTracker tracker, int maxDestinations,
                        ClientSiteRecorder clients, DestinationSites destinationSites, ObserverSlot observers) {
        this.observers = observers;
        this.inst = inst;
        this.tracker = tracker;
        this.maxDestinations = maxDestinations;
        this.clients = clients;
        this.destinationSites = destinationSites;
    }

    /**
     * Step one of a start: the tracker behind the bridge and the instrumentation, so that connections
     * are counted from here on. Nothing is logged yet (the log is opened after this, so that counting
     * starts sooner): the instrumentation's errors wait for {@link #finishStart}.
     */
    static ActiveAgent instrument(Instrumentation inst, AgentOptions options, StartupPhases phases) {
        DestinationTable destinations = new DestinationTable(options.maxDestinations());
        DestinationSites destinationSites = new DestinationSites(destinations.indexLimit());
        ClientSiteRecorder[] recorder = new ClientSiteRecorder[1];
        // a connect with no application frame on its stack: the client that owns the thread says where it was built
        java.util.function.Supplier<Object> owningClient = () -> {
            Object inherited = ClientBridge.inheritedOriginSite();
            return inherited != null ? inherited : recorder[0].originOfThread(Thread.currentThread().getName());
        };
        ObserverSlot observers = new ObserverSlot(StackSource.WALKER, owningClient);
        ClientSiteRecorder clients = new ClientSiteRecorder(new ClientSiteTable(MAX_CLIENT_SITES), StackSource.WALKER,
                new RateLimiter(Ticker.SYSTEM, CLIENT_CAPTURES_PER_SECOND, CLIENT_CAPTURES_PER_SECOND / 4), Ticker.SYSTEM,
                observers);
        recorder[0] = clients;
        ConnectSiteSampler sampler = new ConnectSiteSampler(destinationSites, StackSource.WALKER,
                new RateLimiter(Ticker.SYSTEM, CONNECT_SAMPLES_PER_SECOND, CONNECT_SAMPLES_PER_SECOND), owningClient);
        ConnectionTracker tracker = new ConnectionTracker(destinations, new OpenConnectionTable(OPEN_TABLE_LOG2),
                Ticker.SYSTEM, sampler, observers);
        ActiveAgent agent = new ActiveAgent(inst, tracker, options.maxDestinations(), clients, destinationSites,
                observers);
        ApplicationFrames.setOwnPackages(MainClass.detect(), options.appPackages());
        agent.fault = FaultInjectingSink.mode(System.getProperty(FaultInjectingSink.PROPERTY));
        agent.clock = BridgeClock.start();
        ChurnBridge.install(FaultInjectingSink.wrap(tracker, agent.fault));
        ClientBridge.install(clients);
        agent.installed = InstrumentationInstaller.install(inst, options.handlers(), agent.instrumentationErrors::report);
        phases.end("instrument");
        agent.instrumentedMillis = phases.totalMillis();
        return agent;
    }

    /**
     * Step two of a start, once the log is open and the kernel's settings are read: what the
     * instrumentation could not weave, the reporting, and the {@code agent_started} line.
     */
    void finishStart(AgentOptions options, AgentLog agentLog, KernelSettings kernel, String how,
                     StartupPhases phases) {
        log = agentLog.logger();
        instrumentationErrors.open(log);
        if (fault != null) {
            log.warn("{}", LogEvent.of("test_fault_injection").add("mode", fault.name().toLowerCase(java.util.Locale.ROOT))
                    .remark("(test switch " + FaultInjectingSink.PROPERTY + ": every connection event fails on purpose)"));
        }
        startReporting(options, agentLog, kernel);
        phases.end("reporting");
        // paths that first run long after start-up (a stack capture, the first report) load JDK classes:
        // load them now, not in a hot application (see FirstUse); done before the start is announced, so
        // that a program waiting for the agent (and a test) knows they are behind it
        FirstUse.rehearse(PROC);
        phases.end("first_use");
        // lets 'churn-agent.jar list' see from outside that the agent runs here (not a churn.* key:
        // those are options)
        System.setProperty(AgentState.LOADED_PROPERTY, CommandLine.version());
        log.info("{}", describe("agent_started", how, kernel, phases)
                .add("instrumented_ms", instrumentedMillis)
                .add("instrumented", String.join(",", installed.transformed()))
                .add("app_packages", ownPackagesText())
                .note("options", options.describe()));
    }

    /** The own packages call sites are looked for in, {@code com.acme.;org.example.}, or {@code none}. */
    private static String ownPackagesText() {
        java.util.List<String> own = ApplicationFrames.ownPackages();
        return own.isEmpty() ? "none" : String.join(";", own);
    }

    /**
     * A second attach: keeps the instrumentation and the counts, and rebuilds the reporting with the
     * new options (rates restart from this moment). A changed {@code handlers} list replaces the
     * handlers' own transformer (classes already loaded are retransformed; entries no longer listed get
     * their original code back). {@code destinations.max} sizes a table that is already in use, so a
     * new value waits for the next start.
     */
    void update(AgentOptions newOptions, AgentLog newLog, KernelSettings kernel, String how, StartupPhases phases) {
        AgentOptions before = options;
        reporter.stop();
        exports.close(); // MBeans, JFR hooks and the metrics port follow the new options
        AgentLog oldLog = agentLog;
        log = newLog.logger();
        instrumentationErrors.open(log);
        startReporting(newOptions, newLog, kernel);
        phases.end("reporting");
        if (oldLog != newLog) {
            oldLog.stop();
        }
        ApplicationFrames.setOwnPackages(MainClass.detect(), newOptions.appPackages());
        LogEvent line = describe("agent_options_updated", how, kernel, phases)
                .add("changed", before.changedKeys(newOptions));
        if (newOptions.maxDestinations() != maxDestinations) {
            line.remark("(destinations.max stays " + maxDestinations + " until the JVM restarts: the table is in use)");
        }
        if (installed.replaceHandlers(inst, newOptions.handlers())) {
            line.remark(newOptions.handlers().isEmpty() ? "(handlers: none instrumented any more)"
                    : "(handlers now instrumented, loaded classes retransformed: "
                    + String.join(";", newOptions.handlers()) + ")");
        }
        log.info("{}", line.note("options", newOptions.describe()));
    }

    /**
     * Removes everything the attach added: the bridge forwards nothing, the woven classes get their
     * original bytecode back, the reporter thread, the shutdown report and the MBean are gone. The
     * bridge classes stay in the boot loader (a class loader never unloads them), inert.
     */
    /** Where an in-process observer (the JUnit extension) is installed. */
    ObserverSlot observers() {
        return observers;
    }

    void detach(StartupPhases phases) {
        ChurnBridge.uninstall();
        ClientBridge.uninstall();
        clock.stop();
        boolean reset = installed.reset(inst);
        reporter.stop();
        exports.close();
        try {
            LiveReport.unregister();
        } catch (Throwable t) {
            log.warn("{}", LogEvent.of("agent_error").add("where", "jmx").error(t)
                    .remark("(could not remove " + LiveReport.OBJECT_NAME + ")"));
        }
        System.clearProperty(AgentState.LOADED_PROPERTY);
        log.info("{}", LogEvent.of("agent_detached")
                .add("classes_restored", reset)
                .add("took_ms", phases.totalMillis())
                .remark("(the application runs on without instrumentation; attach again to resume)"));
        agentLog.stop();
    }

    private void startReporting(AgentOptions newOptions, AgentLog newLog, KernelSettings kernel) {
        int capacity = capacity(newOptions, kernel);
        ModelSettings settings = new ModelSettings(capacity, egressLimit(newOptions.egress()), newOptions.warnRatio(),
                newOptions.criticalRatio(), newOptions.warnIntervalMillis() * 1_000_000L,
                newOptions.evaluateIntervalMillis() * 1_000_000L);
        // other processes' ports towards each destination, from the kernel fallback's reads of the table
        HostShare hostShare = new HostShare();
        ChurnMonitor monitor = new ChurnMonitor(tracker.destinations(), Ticker.SYSTEM, settings, hostShare);
        Logger newLogger = newLog.logger();
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
                () -> SocketCounts.read(PROC), KERNEL_READ_MIN_MILLIS, System::nanoTime);
        Reporter newReporter = new Reporter(monitor, tracker, new ChurnLogFormat(kernel, destinationSites), newLogger,
                newOptions.evaluateIntervalMillis(), newOptions.reportIntervalMillis(), newOptions.reportTop(),
                beforeTick, kernelTable,
                new TimeWaitSide(kernel.portRange().capacity(), newOptions.warnIntervalMillis() * 1_000_000L),
                new BindFailureLog(tracker.bindFailures(), PROC, newLogger, newOptions.warnIntervalMillis() * 1_000_000L,
                        System::nanoTime));
        this.exports = Exports.start(newOptions, monitor, tracker, settings, kernelTable, clients.table(),
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
        newReporter.runSoon(() -> {
            try {
                new LiveReport(CommandLine.version(), newOptions.describe(),
                        () -> String.join(System.lineSeparator(), newReporter.currentReport()), htmlPage).register();
            } catch (Throwable t) {
                newLogger.info("{}", LogEvent.of("jmx_unavailable").error(t)
                        .remark("('churn-agent.jar report' cannot read this JVM; the log still has every report)"));
            }
        });
        this.reporter = newReporter;
        this.agentLog = newLog;
        this.options = newOptions;
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

    private static int capacity(AgentOptions options, KernelSettings kernel) {
        return options.capacityOverride() > 0 ? options.capacityOverride() : kernel.portRange().capacity();
    }

    private LogEvent describe(String event, String how, KernelSettings kernel, StartupPhases phases) {
        return new LogEvent()
                .add("event", event)
                .add("how", how)
                .add("version", CommandLine.version())
                .add("java", System.getProperty("java.version"))
                .add("capacity", capacity(options, kernel))
                .add("port_range", kernel.portRange().describe())
                .add("capacity_from", options.capacityOverride() > 0 ? "option"
                        : kernel.portRangeFromKernel() ? "kernel" : "default")
                .add("egress", options.egress().toString())
                .add("startup_ms", phases.totalMillis())
                .add("startup", phases.inBackground() ? "background" : "wait")
                .add("held_ms", phases.heldMillis())
                .add("phases_ms", phases.describe());
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
