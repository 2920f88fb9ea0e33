package io.churnagent.export.jfr;

import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.FailureReason;
import io.churnagent.churn.PortExhaustion;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.kernel.TcpSocketTable;
import io.churnagent.export.ExportedFigure;
import io.churnagent.report.TickListener;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * Emits the JFR events {@code io.churnagent.DestinationStatistics} (periodic),
 * {@code io.churnagent.ChurnWarning} and {@code io.churnagent.PortExhaustion}; thread-safe.
 *
 * <p>Loaded only by name, after {@code jdk.jfr} was found in the runtime, so that no other agent
 * class links against {@code jdk.jfr}. It costs nothing while no recording runs: the event types are
 * registered only when Flight Recorder initialises (a listener, so the agent never starts JFR
 * itself), the periodic hook is called by JFR only when a recording enables the event, and the
 * warning events are built only once Flight Recorder has initialised and one is due, and committed
 * only if {@code shouldCommit()}.
 */
public final class JfrExporter implements TickListener, AutoCloseable {

    private final Supplier<TcpSocketTable> kernel;
    private final Runnable periodic = this::emitStatistics;
    private final FlightRecorderListener listener = new FlightRecorderListener() {
        @Override
        public void recorderInitialized(FlightRecorder recorder) {
            registerEvents();
        }
    };
    private volatile List<DestinationVerdict> latest = Collections.emptyList();
    private volatile boolean registered;
    private boolean closed;

    public JfrExporter(Supplier<TcpSocketTable> kernel) {
        this.kernel = kernel;
        FlightRecorder.addListener(listener); // calls recorderInitialized at once if JFR already runs
    }

    private synchronized void registerEvents() {
        if (registered || closed) {
            return;
        }
        registered = true;
        FlightRecorder.register(ChurnWarningEvent.class);
        FlightRecorder.register(PortExhaustionEvent.class);
        FlightRecorder.addPeriodicEvent(DestinationStatisticsEvent.class, periodic);
    }

    @Override
    public void afterTick(List<DestinationVerdict> verdicts, List<DestinationVerdict> warnings, List<PortExhaustion> exhaustions) {
        latest = verdicts;
        if (!registered) {
            // Flight Recorder never started, so no recording can take the events; building one would
            // load JFR's event machinery (dozens of jdk.jfr classes) at the first warning, in an application
            // that is busy churning (LateClassLoadsIT)
            return;
        }
        for (DestinationVerdict v : warnings) {
            ChurnWarningEvent e = new ChurnWarningEvent();
            if (!e.shouldCommit()) {
                break; // no recording wants it: the same answer for the rest of this tick
            }
            DestinationFigures f = v.figures();
            e.destination = f.destination().label();
            e.host = f.destination().host();
            e.warningLevel = ExportedFigure.levelName(v);
            e.connectRatePerSecond = f.connectsPerSecond();
            e.closeRatePerSecond = f.closesPerSecond();
            e.open = f.open();
            e.projectedTimeWait = f.projectedTimeWait();
            e.projectedLoad = f.projectedLoad();
            e.capacity = f.capacity();
            e.projectedLoadRatio = f.ratio();
            e.secondsToExhaustion = f.exhaustionInSeconds() < 0 ? -1 : f.exhaustionInSeconds();
            e.commit();
        }
        for (PortExhaustion x : exhaustions) {
            PortExhaustionEvent e = new PortExhaustionEvent();
            if (!e.shouldCommit()) {
                break;
            }
            DestinationFigures f = x.figures();
            e.destination = f.destination().label();
            e.host = f.destination().host();
            e.failedConnectsAddrNotAvail = f.addrNotAvailFailures();
            e.newFailures = x.newFailures();
            e.warnedBeforeFailure = x.warnedBeforeFailure();
            e.open = f.open();
            e.closesLast60s = f.closesLast60s();
            e.capacity = f.capacity();
            e.commit();
        }
    }

    /** JFR's periodic hook: one event per destination, on JFR's own thread. */
    private void emitStatistics() {
        List<DestinationVerdict> verdicts = latest;
        if (verdicts.isEmpty()) {
            return;
        }
        TcpSocketTable table = kernel.get();
        for (DestinationVerdict v : verdicts) {
            DestinationFigures f = v.figures();
            DestinationStatisticsEvent e = new DestinationStatisticsEvent();
            e.destination = f.destination().label();
            e.host = f.destination().host();
            e.connects = f.connects();
            e.closes = f.closes();
            e.failedConnects = f.failures();
            e.failedConnectsAddrNotAvail = f.destination().failures(FailureReason.ADDR_NOT_AVAIL);
            e.connectRatePerSecond = f.connectsPerSecond();
            e.closeRatePerSecond = f.closesPerSecond();
            e.open = f.open();
            e.closesLast60s = f.closesLast60s();
            e.projectedTimeWait = f.projectedTimeWait();
            double observed = ExportedFigure.OBSERVED_TIME_WAIT.value(v, table);
            e.observedTimeWait = Double.isNaN(observed) ? -1 : (long) observed;
            double closeWait = ExportedFigure.OBSERVED_CLOSE_WAIT.value(v, table);
            e.observedCloseWait = Double.isNaN(closeWait) ? -1 : (long) closeWait;
            e.projectedLoad = f.projectedLoad();
            e.capacity = f.capacity();
            e.projectedLoadRatio = f.ratio();
            e.secondsToExhaustion = f.exhaustionInSeconds() < 0 ? -1 : f.exhaustionInSeconds();
            e.warningLevel = ExportedFigure.levelName(v);
            e.commit();
        }
    }

    /** Removes the periodic hook and the listener; events already recorded stay in the recording. */
    @Override
    public synchronized void close() {
        closed = true;
        FlightRecorder.removeListener(listener);
        if (registered) {
            FlightRecorder.removePeriodicEvent(periodic);
        }
    }
}
