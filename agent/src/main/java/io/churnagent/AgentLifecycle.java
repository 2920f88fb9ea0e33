package io.churnagent;

import io.churnagent.churn.ApplicationFrames;
import io.churnagent.churn.ObserverSlot;
import io.churnagent.cli.AgentState;
import io.churnagent.cli.CommandLine;
import io.churnagent.config.AgentOptions;
import io.churnagent.config.MainClass;
import io.churnagent.config.OptionsParser;
import io.churnagent.config.ParseResult;
import io.churnagent.instrument.BootstrapInjector;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.log.AgentLog;
import io.churnagent.log.LogEvent;
import io.churnagent.report.FirstUse;
import io.churnagent.report.LiveReport;
import org.slf4j.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The one owner of the agent's life in this JVM: start, update options (a second attach), detach,
 * with its {@link State} explicit; every transition runs under this class's lock, once per JVM.
 * {@link AgentAssembly} builds the parts, this class orders the steps and logs them.
 *
 * <p>Must not mention the {@code bootstrap} package or a class that implements one of its interfaces
 * (only {@link AgentAssembly}, {@link Instrumented} and what they build do): those may only be loaded
 * after {@link BootstrapInjector} has defined the bridge in the boot loader, otherwise the application
 * class loader would define a second copy.
 */
final class AgentLifecycle {

    /** Where the agent is in its life; a detach goes back to {@link #STOPPED}, from where an attach starts it again. */
    enum State {
        /** Not started, disabled, failed to start, or detached. */
        STOPPED,
        /** A start is in progress (a {@code startup=background} one on its own thread). */
        STARTING,
        /** Instrumented and reporting. */
        RUNNING
    }

    /**
     * Set while a {@code startup=background} start is in progress: an application (or a test) that must
     * not open connections before the agent watches them can wait while it is there.
     */
    static final String STARTING_PROPERTY = "io.churnagent.starting";
    private static final Path PROC = Paths.get("/proc");

    private static State state = State.STOPPED;
    /** Set exactly while {@link State#RUNNING}. */
    private static Instrumented instrumented;
    private static Configured configured;

    private AgentLifecycle() {
    }

    /** From {@link AgentMain}: does what {@code args} asks; never throws. */
    static void enter(EntryPoint entry, String args, Instrumentation inst) {
        preloadLazyInvokeClasses();
        if (entry == EntryPoint.PREMAIN && runsOwnCommandLine()) {
            // JAVA_TOOL_OPTIONS=-javaagent:... (a pod's) reaches every java started there, this jar's
            // own command line too (kubectl exec ... java -jar churn-agent.jar report 1): not watched
            return;
        }
        try {
            command(entry, args, inst);
        } catch (Throwable t) {
            System.err.println(AgentLog.MARKER + " could not start (" + t + "); the application continues without the agent");
        }
    }

    private static synchronized void command(EntryPoint entry, String args, Instrumentation inst) throws Exception {
        StartupPhases phases = new StartupPhases();
        if (entry == EntryPoint.AGENTMAIN && AgentState.DETACH_ARGUMENT.equals(args)) {
            detach(phases);
            return;
        }
        if (entry == EntryPoint.AGENTMAIN && args != null && args.startsWith(AgentState.REPORT_ARGUMENT_PREFIX)) {
            writeReport(args.substring(AgentState.REPORT_ARGUMENT_PREFIX.length()));
            return;
        }
        ParseResult parsed = OptionsParser.parse(args, systemProperties(), System.getenv());
        phases.end("options");
        AgentOptions options = parsed.options();
        if (entry == EntryPoint.PREMAIN && state == State.STOPPED && options.enabled() && options.startInBackground()) {
            // Byte Buddy's install is most of the start-up (about 1,000 classes to load and verify):
            // main need not wait for it. Connections opened meanwhile are simply not seen.
            state = State.STARTING;
            System.setProperty(STARTING_PROPERTY, "true");
            phases.handOver();
            Thread starter = new Thread(() -> {
                try {
                    apply(parsed, inst, entry, phases);
                } catch (Throwable t) {
                    System.err.println(AgentLog.MARKER + " could not start (" + t
                            + "); the application continues without the agent");
                } finally {
                    System.clearProperty(STARTING_PROPERTY);
                }
            }, "churn-agent-start");
            starter.setDaemon(true);
            starter.start();
            return;
        }
        apply(parsed, inst, entry, phases);
    }

    /** Starts, updates the options of the running agent, or says why neither. */
    private static synchronized void apply(ParseResult parsed, Instrumentation inst, EntryPoint entry,
                                           StartupPhases phases) throws Exception {
        AgentOptions options = parsed.options();
        if (state == State.RUNNING) {
            AgentLog agentLog = openLog(parsed, phases);
            if (options.enabled()) {
                updateOptions(options, agentLog, KernelSettings.read(PROC), entry, phases);
            } else {
                agentLog.logger().warn("{}", LogEvent.of("agent_already_active").add("how", entry.logName())
                        .remark("(enabled=false does not stop a running agent; 'churn-agent.jar detach' does)"));
            }
            return;
        }
        if (!options.enabled()) {
            state = State.STOPPED;
            openLog(parsed, phases).logger().info("{}", LogEvent.of("agent_disabled")
                    .remark("(enabled=false): no instrumentation installed"));
            return;
        }
        state = State.STARTING;
        try {
            start(parsed, inst, entry, phases);
        } finally {
            if (state == State.STARTING) {
                state = State.STOPPED;
            }
            AgentLifecycle.class.notifyAll(); // awaitStart
        }
    }

    private static void start(ParseResult parsed, Instrumentation inst, EntryPoint entry, StartupPhases phases) {
        AgentOptions options = parsed.options();
        // instrumentation first, so that connections are counted as early as possible (an attach is
        // often made to a service already in trouble); the log and the kernel's settings follow
        Throwable bridgeFailure = null;
        try {
            BootstrapInjector.inject(inst);
        } catch (Throwable t) {
            bridgeFailure = t;
        }
        phases.end("bridge");
        Instrumented parts = bridgeFailure == null ? AgentAssembly.instrument(inst, options, phases) : null;
        AgentLog agentLog = openLog(parsed, phases);
        Logger log = agentLog.logger();
        if (parts == null) {
            log.error("{}", LogEvent.of("agent_error").add("where", "bootstrap").error(bridgeFailure)
                    .remark("(cannot place the bridge in the boot class loader; the application continues without the agent)"));
            return;
        }
        KernelSettings kernel = KernelSettings.read(PROC);
        for (String problem : kernel.problems()) {
            log.info("{}", LogEvent.of("kernel_settings_unavailable").remark(problem));
        }
        phases.end("kernel");
        // running before the reporting starts: should that fail, a detach still undoes the instrumentation
        instrumented = parts;
        state = State.RUNNING;
        parts.errors.open(log);
        if (parts.faultWarning() != null) {
            log.warn("{}", parts.faultWarning());
        }
        configured = AgentAssembly.configure(options, agentLog, kernel, parts);
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
        log.info("{}", describe("agent_started", entry, options, kernel, phases)
                .add("instrumented_ms", parts.instrumentedMillis)
                .add("instrumented", String.join(",", parts.transformed()))
                .add("app_packages", ownPackagesText())
                .note("options", options.describe()));
    }

    /**
     * A second attach: keeps the instrumentation and the counts, and rebuilds the reporting with the
     * new options (rates restart from this moment). A changed {@code handlers} list replaces the
     * handlers' own transformer (classes already loaded are retransformed; entries no longer listed get
     * their original code back). {@code destinations.max} sizes a table that is already in use, so a
     * new value waits for the next start.
     */
    private static void updateOptions(AgentOptions newOptions, AgentLog newLog, KernelSettings kernel, EntryPoint entry,
                                      StartupPhases phases) {
        Configured before = configured;
        before.stop(); // the reporter, MBeans, JFR hooks and the metrics port follow the new options
        Logger log = newLog.logger();
        instrumented.errors.open(log);
        configured = AgentAssembly.configure(newOptions, newLog, kernel, instrumented);
        phases.end("reporting");
        if (before.log != newLog) {
            before.log.stop();
        }
        ApplicationFrames.setOwnPackages(MainClass.detect(), newOptions.appPackages());
        LogEvent line = describe("agent_options_updated", entry, newOptions, kernel, phases)
                .add("changed", before.options.changedKeys(newOptions));
        int maxDestinations = instrumented.maxDestinations;
        if (newOptions.maxDestinations() != maxDestinations) {
            line.remark("(destinations.max stays " + maxDestinations + " until the JVM restarts: the table is in use)");
        }
        if (instrumented.replaceHandlers(newOptions.handlers())) {
            line.remark(newOptions.handlers().isEmpty() ? "(handlers: none instrumented any more)"
                    : "(handlers now instrumented, loaded classes retransformed: "
                    + String.join(";", newOptions.handlers()) + ")");
        }
        log.info("{}", line.note("options", newOptions.describe()));
    }

    /**
     * {@code churn-agent.jar detach}: removes everything the attach added (the bridge forwards
     * nothing, the woven classes get their original bytecode back, the reporter thread, the shutdown
     * report and the MBean are gone). Says so on stderr when there is nothing to detach, because no
     * agent log exists then.
     */
    private static void detach(StartupPhases phases) {
        if (state != State.RUNNING) {
            System.err.println(AgentLog.MARKER + " detach: the agent is not active in this JVM; nothing to do");
            return;
        }
        Instrumented parts = instrumented;
        Configured last = configured;
        instrumented = null;
        configured = null;
        state = State.STOPPED;
        boolean reset = parts.uninstall();
        if (last == null) { // the reporting failed to start: there is no log to write to
            System.err.println(AgentLog.MARKER + " detached (classes_restored=" + reset + ")");
            return;
        }
        Logger log = last.log.logger();
        last.stop();
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
        last.log.stop();
    }

    /**
     * Waits while a start is in progress (a {@code startup=background} one), at most
     * {@code timeoutMillis}; whether the agent runs then.
     */
    static synchronized boolean awaitStart(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (state == State.STARTING) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            AgentLifecycle.class.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        return state == State.RUNNING;
    }

    /** Whether the agent runs in this JVM (started, and not detached). */
    static synchronized boolean isActive() {
        return state == State.RUNNING;
    }

    /** Where an in-process observer is installed, or null while the agent does not run. */
    static synchronized ObserverSlot observers() {
        return state == State.RUNNING ? instrumented.observers : null;
    }

    /**
     * {@code churn-agent.jar report} across network namespaces: {@code text:<nonce>} or
     * {@code html:<nonce>}. Writes the live report to {@link AgentState#reportFile} in this JVM's
     * {@code /tmp}, created new (never over an existing file or link) and readable by its owner only;
     * the command line reads it through {@code /proc/<pid>/root} and removes it. Writes nothing into
     * the application's output, and never throws: when no file appears, the command line says that
     * the report could not be written here.
     */
    private static void writeReport(String request) {
        int colon = request.indexOf(':');
        String kind = colon < 0 ? "" : request.substring(0, colon);
        String nonce = colon < 0 ? "" : request.substring(colon + 1);
        if (state != State.RUNNING || !(kind.equals("text") || kind.equals("html"))
                || !nonce.matches(AgentState.NONCE_PATTERN)) {
            return;
        }
        boolean html = kind.equals("html");
        try {
            LiveReport live = configured.liveReport();
            String content = html ? live.getHtml() : live.getText();
            Path file = Files.createFile(Paths.get(AgentState.reportFile(nonce, html)),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
        } catch (Throwable t) {
            // /tmp full or read-only: the command line reports the missing file
        }
    }

    /** The log the options ask for, with the option problems written to it; ends the "log" phase. */
    private static AgentLog openLog(ParseResult parsed, StartupPhases phases) {
        AgentOptions options = parsed.options();
        AgentLog agentLog = AgentLog.create(options.logFile(), options.logLevel(), options.jsonLog());
        Logger log = agentLog.logger();
        if (agentLog.problem() != null) {
            log.error("{}", LogEvent.of("agent_option_error").remark(agentLog.problem()));
        }
        for (String problem : parsed.problems()) {
            log.error("{}", LogEvent.of("agent_option_error").remark(problem));
        }
        phases.end("log");
        return agentLog;
    }

    private static LogEvent describe(String event, EntryPoint entry, AgentOptions options, KernelSettings kernel,
                                     StartupPhases phases) {
        return new LogEvent()
                .add("event", event)
                .add("how", entry.logName())
                .add("version", CommandLine.version())
                .add("java", System.getProperty("java.version"))
                .add("capacity", AgentAssembly.capacity(options, kernel))
                .add("port_range", kernel.portRange().describe())
                .add("capacity_from", options.capacityOverride() > 0 ? "option"
                        : kernel.portRangeFromKernel() ? "kernel" : "default")
                .add("egress", options.egress().toString())
                .add("startup_ms", phases.totalMillis())
                .add("startup", phases.inBackground() ? "background" : "wait")
                .add("held_ms", phases.heldMillis())
                .add("phases_ms", phases.describe());
    }

    /** The own packages call sites are looked for in, {@code com.acme.;org.example.}, or {@code none}. */
    private static String ownPackagesText() {
        List<String> own = ApplicationFrames.ownPackages();
        return own.isEmpty() ? "none" : String.join(";", own);
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> result = new HashMap<>();
        Properties properties = System.getProperties();
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith("churn.")) {
                result.put(name, properties.getProperty(name));
            }
        }
        return result;
    }

    /** Whether this JVM runs this jar's command line ({@code java -jar churn-agent.jar ...} or its Main-Class). */
    static boolean runsOwnCommandLine() {
        String command = System.getProperty("sun.java.command", "");
        String first = command.split(" ", 2)[0];
        if (first.equals(AgentMain.class.getName())) {
            return true;
        }
        if (!first.endsWith(".jar")) {
            return false;
        }
        try (JarFile jar = new JarFile(first)) {
            Manifest manifest = jar.getManifest();
            return manifest != null && AgentMain.class.getName()
                    .equals(manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Loads {@code java.lang.invoke.MethodHandle$1} now, on this thread, before any transformer runs.
     * {@code MethodHandle.customize()} loads it lazily, on whichever thread first invokes some method
     * handle often enough; when that load calls a transformer (ours or another agent's) that needs it
     * again, the JVM records a ClassCircularityError for it for good (JVMS 5.4.3) and every later
     * customization fails: seen on JDK 17 beside the OpenTelemetry agent, both starting at once.
     */
    static void preloadLazyInvokeClasses() {
        try {
            Class.forName("java.lang.invoke.MethodHandle$1", false, null);
        } catch (Throwable t) {
            // another JDK without that class: nothing to preload
        }
    }
}
