package io.churnagent;

import io.churnagent.bootstrap.ChurnBridge;
import io.churnagent.bootstrap.ClientBridge;
import io.churnagent.churn.ClientSiteRecorder;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationSites;
import io.churnagent.churn.ObserverSlot;
import io.churnagent.instrument.InstrumentationInstaller;
import io.churnagent.log.DeferredErrors;
import io.churnagent.log.LogEvent;
import io.churnagent.testing.FaultInjectingSink;

import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Locale;

/**
 * What lives from a start until detach, built by {@link AgentAssembly#instrument}: the tracker
 * behind the bridge, the call-site recorders, the observer slot, the bridge's clock and the woven
 * classes; immutable. {@link #uninstall} undoes it.
 */
final class Instrumented {

    final Instrumentation inst;
    final ConnectionTracker tracker;
    final ClientSiteRecorder clients;
    final DestinationSites destinationSites;
    final ObserverSlot observers;
    /** Classes the instrumentation cannot weave, now or when they load later: written to the current log. */
    final DeferredErrors errors;
    /** The test switch's fault mode, or null when it is off. */
    private final FaultInjectingSink.Mode fault;
    /** The destination table's size, fixed for this start. */
    final int maxDestinations;
    /** Milliseconds from the start until the instrumentation was active (connections counted). */
    final long instrumentedMillis;
    private final BridgeClock clock;
    private final InstrumentationInstaller.Installed installed;

    Instrumented(Instrumentation inst, ConnectionTracker tracker, ClientSiteRecorder clients,
                 DestinationSites destinationSites, ObserverSlot observers, BridgeClock clock,
                 InstrumentationInstaller.Installed installed, DeferredErrors errors, FaultInjectingSink.Mode fault,
                 int maxDestinations, long instrumentedMillis) {
        this.inst = inst;
        this.tracker = tracker;
        this.clients = clients;
        this.destinationSites = destinationSites;
        this.observers = observers;
        this.clock = clock;
        this.installed = installed;
        this.errors = errors;
        this.fault = fault;
        this.maxDestinations = maxDestinations;
        this.instrumentedMillis = instrumentedMillis;
    }

    /** The line that says the fault-injection test switch is on, or null when it is off. */
    LogEvent faultWarning() {
        return fault == null ? null : LogEvent.of("test_fault_injection").add("mode", fault.name().toLowerCase(Locale.ROOT))
                .remark("(test switch " + FaultInjectingSink.PROPERTY + ": every connection event fails on purpose)");
    }

    /** The classes woven, by instrumentation name. */
    List<String> transformed() {
        return installed.transformed();
    }

    /** Replaces the handlers' transformer when {@code handlers} differs; whether it did. */
    boolean replaceHandlers(List<String> handlers) {
        return installed.replaceHandlers(inst, handlers);
    }

    /**
     * The bridge forwards nothing any more, its clock stops and the woven classes get their original
     * bytecode back; whether every class was restored. The bridge classes stay in the boot loader (a
     * class loader never unloads them), inert.
     */
    boolean uninstall() {
        ChurnBridge.uninstall();
        ClientBridge.uninstall();
        clock.stop();
        return installed.reset(inst);
    }
}
