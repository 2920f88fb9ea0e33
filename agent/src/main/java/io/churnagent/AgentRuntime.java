package io.churnagent;

import io.churnagent.log.LogEvent;
import io.churnagent.cli.AgentState;
import io.churnagent.config.AgentOptions;
import io.churnagent.config.OptionsParser;
import io.churnagent.config.ParseResult;
import io.churnagent.instrument.BootstrapInjector;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.log.AgentLog;
import org.slf4j.Logger;

import java.lang.instrument.Instrumentation;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Starts the agent once per JVM: options, logging, kernel settings, the boot-loader bridge, then
 * {@link ActiveAgent}; thread-safe (start is synchronized) and idempotent.
 *
 * <p>This class must not mention the {@code bootstrap} package or any class that implements one
 * of its interfaces: those may only be loaded after {@link BootstrapInjector} has defined the bridge
 * in the boot loader, otherwise the application class loader would define a second copy.
 */
final class AgentRuntime {

    private static Object active; // an ActiveAgent, typed Object so that this class does not link it early

    private AgentRuntime() {
    }

    /**
     * Set while a {@code startup=background} start is in progress: an application (or a test) that must
     * not open connections before the agent watches them can wait while it is there.
     */
    static final String STARTING_PROPERTY = "io.churnagent.starting";

    static synchronized void start(String args, Instrumentation inst, String how) throws Exception {
        StartupPhases started = new StartupPhases();
        if (AgentState.DETACH_ARGUMENT.equals(args) && how.equals("agentmain")) {
            detach(started);
            return;
        }
        if (args != null && args.startsWith(AgentState.REPORT_ARGUMENT_PREFIX) && how.equals("agentmain")) {
            writeReport(args.substring(AgentState.REPORT_ARGUMENT_PREFIX.length()));
            return;
        }
        ParseResult parsed = OptionsParser.parse(args, systemProperties(), System.getenv());
        started.end("options");
        AgentOptions options = parsed.options();
        if (how.equals("premain") && active == null && options.enabled() && options.startInBackground()) {
            // Byte Buddy's install is most of the start-up (about 1,000 classes to load and verify):
            // main need not wait for it. Connections opened meanwhile are simply not seen.
            System.setProperty(STARTING_PROPERTY, "true");
            started.handOver();
            Thread starter = new Thread(() -> {
                try {
                    finish(parsed, inst, how, started);
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
        finish(parsed, inst, how, started);
    }

    private static synchronized void finish(ParseResult parsed, Instrumentation inst, String how,
                                            StartupPhases started) throws Exception {
        AgentOptions options = parsed.options();
        if (active != null || !options.enabled()) {
            AgentLog agentLog = openLog(parsed, started);
            Logger log = agentLog.logger();
            if (active == null) {
                log.info("{}", LogEvent.of("agent_disabled").remark("(enabled=false): no instrumentation installed"));
            } else if (!options.enabled()) {
                log.warn("{}", LogEvent.of("agent_already_active").add("how", how)
                        .remark("(enabled=false does not stop a running agent; 'churn-agent.jar detach' does)"));
            } else {
                ((ActiveAgent) active).update(options, agentLog, KernelSettings.read(Paths.get("/proc")), how, started);
            }
            return;
        }
        // instrumentation first, so that connections are counted as early as possible (an attach is
        // often made to a service already in trouble); the log and the kernel's settings follow
        Throwable bridgeFailure = null;
        try {
            BootstrapInjector.inject(inst);
        } catch (Throwable t) {
            bridgeFailure = t;
        }
        started.end("bridge");
        ActiveAgent agent = bridgeFailure == null ? ActiveAgent.instrument(inst, options, started) : null;
        AgentLog agentLog = openLog(parsed, started);
        Logger log = agentLog.logger();
        if (agent == null) {
            log.error("{}", LogEvent.of("agent_error").add("where", "bootstrap").error(bridgeFailure)
                    .remark("(cannot place the bridge in the boot class loader; the application continues without the agent)"));
            return;
        }
        KernelSettings kernel = KernelSettings.read(Paths.get("/proc"));
        for (String problem : kernel.problems()) {
            log.info("{}", LogEvent.of("kernel_settings_unavailable").remark(problem));
        }
        started.end("kernel");
        active = agent; // before the reporting starts: should that fail, a detach still undoes the instrumentation
        agent.finishStart(options, agentLog, kernel, how, started);
    }

    /** The log the options ask for, with the option problems written to it; ends the "log" phase. */
    private static AgentLog openLog(ParseResult parsed, StartupPhases started) {
        AgentOptions options = parsed.options();
        AgentLog agentLog = AgentLog.create(options.logFile(), options.logLevel(), options.jsonLog());
        Logger log = agentLog.logger();
        if (agentLog.problem() != null) {
            log.error("{}", LogEvent.of("agent_option_error").remark(agentLog.problem()));
        }
        for (String problem : parsed.problems()) {
            log.error("{}", LogEvent.of("agent_option_error").remark(problem));
        }
        started.end("log");
        return agentLog;
    }

    /** Whether the agent runs in this JVM (started, and not detached). */
    static synchronized boolean isActive() {
        return active != null;
    }

    /** Where an in-process observer is installed, or null while the agent does not run. */
    static synchronized io.churnagent.churn.ObserverSlot observers() {
        return active == null ? null : ((ActiveAgent) active).observers();
    }

    /**
     * {@code churn-agent.jar detach}: undoes the attach. Says so on stderr when there is nothing to
     * detach, because no agent log exists then.
     */
    private static void detach(StartupPhases started) {
        if (active == null) {
            System.err.println(AgentLog.MARKER + " detach: the agent is not active in this JVM; nothing to do");
            return;
        }
        ActiveAgent agent = (ActiveAgent) active;
        active = null;
        agent.detach(started);
    }

    /**
     * {@code churn-agent.jar report} across network namespaces: {@code text:<nonce>} or
     * {@code html:<nonce>}. Writes nothing into the application's output, and never throws: when no
     * file appears, the command line says that the report could not be written here.
     */
    private static void writeReport(String request) {
        int colon = request.indexOf(':');
        String kind = colon < 0 ? "" : request.substring(0, colon);
        String nonce = colon < 0 ? "" : request.substring(colon + 1);
        if (active == null || !(kind.equals("text") || kind.equals("html")) || !nonce.matches(AgentState.NONCE_PATTERN)) {
            return;
        }
        try {
            ((ActiveAgent) active).writeReport(nonce, kind.equals("html"));
        } catch (Throwable t) {
            // /tmp full or read-only: the command line reports the missing file
        }
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
}
