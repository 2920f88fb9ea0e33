package io.churnagent;

import io.churnagent.bootstrap.ChurnBridge;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.churn.Ticker;
import io.churnagent.churn.TimeWaitSide;
import io.churnagent.config.AgentOptions;
import io.churnagent.instrument.InstrumentationInstaller;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.TcpSocketTable;
import io.churnagent.report.BindFailureLog;
import io.churnagent.report.ChurnLogFormat;
import io.churnagent.report.Logfmt;
import io.churnagent.report.Reporter;
import org.slf4j.Logger;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The running agent: the tracker behind the bridge, the instrumentation and the reporter; created
 * once by {@link AgentRuntime} after the bridge is in the boot loader.
 */
final class ActiveAgent {

    /** Open-connection table size: 2^16 slots, 1 MiB. */
    private static final int OPEN_TABLE_LOG2 = 16;
    private static final Path PROC = Paths.get("/proc");

    private final ConnectionTracker tracker;
    private final Reporter reporter;
    private final InstrumentationInstaller.Installed installed;

    private ActiveAgent(ConnectionTracker tracker, Reporter reporter, InstrumentationInstaller.Installed installed) {
        this.tracker = tracker;
        this.reporter = reporter;
        this.installed = installed;
    }

    static ActiveAgent start(Instrumentation inst, AgentOptions options, KernelSettings kernel, Logger log,
                             String how, long startedNanos) {
        int capacity = options.capacityOverride() > 0 ? options.capacityOverride() : kernel.portRange().capacity();
        DestinationTable destinations = new DestinationTable(options.maxDestinations());
        ConnectionTracker tracker = new ConnectionTracker(destinations, new OpenConnectionTable(OPEN_TABLE_LOG2),
                Ticker.SYSTEM);
        ModelSettings settings = new ModelSettings(capacity, options.warnRatio(), options.criticalRatio(),
                options.warnIntervalMillis() * 1_000_000L, options.evaluateIntervalMillis() * 1_000_000L);
        ChurnMonitor monitor = new ChurnMonitor(destinations, Ticker.SYSTEM, settings);
        ChurnBridge.install(tracker);
        InstrumentationInstaller.Installed installed = InstrumentationInstaller.install(inst, error ->
                log.error("event=agent_error where=instrumentation {} (connections through it are not counted)", error));
        FaultWatch faultWatch = new FaultWatch(log);
        Reporter reporter = new Reporter(monitor, tracker, new ChurnLogFormat(kernel), log,
                options.evaluateIntervalMillis(), options.reportIntervalMillis(), options.reportTop(), faultWatch,
                () -> TcpSocketTable.read(PROC),
                new TimeWaitSide(kernel.portRange().capacity(), options.warnIntervalMillis() * 1_000_000L),
                new BindFailureLog(tracker.bindFailures(), PROC, log, options.warnIntervalMillis() * 1_000_000L,
                        System::nanoTime));
        reporter.start();
        // lets 'churn-agent.jar list' see from outside that the agent runs here (not a churn.* key:
        // those are options)
        System.setProperty(io.churnagent.cli.Attach.LOADED_PROPERTY, io.churnagent.cli.CommandLine.version());
        long tookMillis = (System.nanoTime() - startedNanos) / 1_000_000L;
        log.info(new Logfmt()
                .add("event", "agent_started")
                .add("how", how)
                .add("version", io.churnagent.cli.CommandLine.version())
                .add("java", System.getProperty("java.version"))
                .add("instrumented", String.join(",", installed.transformed()))
                .add("capacity", capacity)
                .add("port_range", kernel.portRange().describe())
                .add("capacity_from", options.capacityOverride() > 0 ? "option" : kernel.portRangeFromKernel() ? "kernel" : "default")
                .add("startup_ms", tookMillis)
                .toString() + " options: " + options.describe());
        return new ActiveAgent(tracker, reporter, installed);
    }

    /** Says once when the bridge has dropped the tracker because it kept throwing. */
    private static final class FaultWatch implements Runnable {
        private final Logger log;
        private boolean reported;

        FaultWatch(Logger log) {
            this.log = log;
        }

        @Override
        public void run() {
            if (!reported && !ChurnBridge.installed() && ChurnBridge.faults() >= ChurnBridge.MAX_FAULTS) {
                reported = true;
                log.error("event=agent_disabled reason=faults faults={} last_error=\"{}\" (connection tracking "
                        + "stopped to protect the application)", ChurnBridge.faults(), String.valueOf(ChurnBridge.lastFault()));
            }
        }
    }
}
