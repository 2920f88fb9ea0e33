package io.churnagent;

import io.churnagent.bootstrap.ChurnBridge;
import io.churnagent.bootstrap.ClientBridge;
import io.churnagent.churn.ApplicationFrames;
import io.churnagent.churn.ClientSiteRecorder;
import io.churnagent.churn.ClientSiteTable;
import io.churnagent.churn.ConnectSiteSampler;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationSites;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.ObserverSlot;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.churn.RateLimiter;
import io.churnagent.churn.StackSource;
import io.churnagent.churn.Ticker;
import io.churnagent.cli.AgentState;
import io.churnagent.cli.CommandLine;
import io.churnagent.config.AgentOptions;
import io.churnagent.config.MainClass;
import io.churnagent.instrument.InstrumentationInstaller;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.log.AgentLog;
import io.churnagent.log.DeferredErrors;
import io.churnagent.log.LogEvent;
import io.churnagent.report.FirstUse;
import io.churnagent.report.LiveReport;
import io.churnagent.testing.FaultInjectingSink;
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
    private Reporting reporting;
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
                new RateLimiter(Ticker.SYSTEM, CLIENT_CAPTURES_PER_SECOND, CLIENT_CAPTURE_BURST), Ticker.SYSTEM,
                observers);
        recorder[0] = clients;
        ConnectSiteSampler sampler = new ConnectSiteSampler(destinationSites, StackSource.WALKER,
                new RateLimiter(Ticker.SYSTEM, CONNECT_SAMPLES_PER_SECOND, CONNECT_SAMPLES_PER_SECOND), owningClient)
                .keepingOpenSites(new io.churnagent.churn.OpenSiteSamples());
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
        System.setProperty(AgentState.REPORT_CHANNEL_PROPERTY, "file");
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
        reporting.stop(); // the reporter, MBeans, JFR hooks and the metrics port follow the new options
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
     * {@code report} from another network namespace: writes the live report (text or page) to
     * {@link AgentState#reportFile} in this JVM's {@code /tmp}, created new (never over an existing
     * file or link) and readable by its owner only; the command line reads it through
     * {@code /proc/<pid>/root} and removes it.
     */
    void writeReport(String nonce, boolean html) throws java.io.IOException {
        String content = html ? reporting.liveReport().getHtml() : reporting.liveReport().getText();
        Path file = Paths.get(AgentState.reportFile(nonce, html));
        java.util.Set<java.nio.file.attribute.PosixFilePermission> ownerOnly =
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(java.nio.file.Files.createFile(file,
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(ownerOnly)))) {
            out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Where an in-process observer (the JUnit extension) is installed. */
    ObserverSlot observers() {
        return observers;
    }

    /**
     * Removes everything the attach added: the bridge forwards nothing, the woven classes get their
     * original bytecode back, the reporter thread, the shutdown report and the MBean are gone. The
     * bridge classes stay in the boot loader (a class loader never unloads them), inert.
     */

    void detach(StartupPhases phases) {
        ChurnBridge.uninstall();
        ClientBridge.uninstall();
        clock.stop();
        boolean reset = installed.reset(inst);
        reporting.stop();
        try {
            LiveReport.unregister();
        } catch (Throwable t) {
            log.warn("{}", LogEvent.of("agent_error").add("where", "jmx").error(t)
                    .remark("(could not remove " + LiveReport.OBJECT_NAME + ")"));
        }
        System.clearProperty(AgentState.LOADED_PROPERTY);
        System.clearProperty(AgentState.REPORT_CHANNEL_PROPERTY);
        log.info("{}", LogEvent.of("agent_detached")
                .add("classes_restored", reset)
                .add("took_ms", phases.totalMillis())
                .remark("(the application runs on without instrumentation; attach again to resume)"));
        agentLog.stop();
    }

    private void startReporting(AgentOptions newOptions, AgentLog newLog, KernelSettings kernel) {
        this.reporting = Reporting.start(newOptions, newLog.logger(), kernel, tracker, clients, destinationSites);
        this.agentLog = newLog;
        this.options = newOptions;
    }

    private LogEvent describe(String event, String how, KernelSettings kernel, StartupPhases phases) {
        return new LogEvent()
                .add("event", event)
                .add("how", how)
                .add("version", CommandLine.version())
                .add("java", System.getProperty("java.version"))
                .add("capacity", Reporting.capacity(options, kernel))
                .add("port_range", kernel.portRange().describe())
                .add("capacity_from", options.capacityOverride() > 0 ? "option"
                        : kernel.portRangeFromKernel() ? "kernel" : "default")
                .add("egress", options.egress().toString())
                .add("startup_ms", phases.totalMillis())
                .add("startup", phases.inBackground() ? "background" : "wait")
                .add("held_ms", phases.heldMillis())
                .add("phases_ms", phases.describe());
    }
}
