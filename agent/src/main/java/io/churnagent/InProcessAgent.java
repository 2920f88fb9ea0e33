package io.churnagent;

import io.churnagent.api.CallSite;
import io.churnagent.api.ChurnObserver;
import io.churnagent.api.Destination;
import io.churnagent.churn.DestinationStats;
import io.churnagent.churn.ObserverSlot;
import io.churnagent.churn.TrimmedStack;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * The agent for code in the same JVM (the JUnit extension): starts it here if it does not run yet
 * and installs an in-process {@link ChurnObserver}; thread-safe. With the {@code api} package, this is
 * what code outside the agent (churn-junit) may use.
 *
 * <p>A start loads the agent the way an operator would, through {@code java -jar churn-agent.jar
 * attach <this pid>} run with this JVM's own {@code java}: the JDK refuses an attach to oneself unless
 * {@code -Djdk.attach.allowAttachSelf=true}, and the command line's checks (no {@code jdk.attach} in a
 * JRE, {@code -XX:+DisableAttachMechanism}) then give the reason in one line. Like {@link AgentLifecycle}
 * this class must not link the bootstrap package: it is loaded before the bridge exists.
 */
public final class InProcessAgent {

    /** How long a start may take: the attach command's own JVM plus the instrumentation, about a second here. */
    static final long START_TIMEOUT_SECONDS = 60;

    private InProcessAgent() {
    }

    /** Whether the agent runs in this JVM. */
    public static boolean active() {
        return AgentLifecycle.isActive();
    }

    /**
     * Makes sure the agent runs in this JVM: waits for a {@code -javaagent} start still in progress,
     * or loads it with {@code options} (the agent's {@code key=value,...}). Returns null when it runs,
     * else one line saying why it cannot (and what to do instead).
     */
    public static synchronized String start(String options) {
        if (awaitBackgroundStart()) {
            return null;
        }
        File jar;
        try {
            jar = agentJar();
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new ArrayList<>(List.of(java, "-jar", jar.getPath(), "attach",
                Long.toString(ProcessHandle.current().pid())));
        if (options != null && !options.isEmpty()) {
            command.add(options);
        }
        Ran attach = run(command, START_TIMEOUT_SECONDS * 1000);
        if (attach.problem != null) {
            return attach.problem;
        }
        if (active()) {
            return null;
        }
        String reason = lastLine(attach.output);
        return "cannot load the agent into this JVM (attach exited " + attach.exit + (reason.isEmpty() ? "" : ": " + reason)
                + "); give the test JVM -javaagent:" + jar.getPath() + " instead";
    }

    /**
     * Installs {@code observer} (in place of any other); the returned action removes it. Throws
     * {@link IllegalStateException} while the agent does not run.
     */
    public static Runnable observe(ChurnObserver observer) {
        ObserverSlot slot = AgentLifecycle.observers();
        if (slot == null) {
            throw new IllegalStateException("the churn agent does not run in this JVM");
        }
        return slot.install(new ValuesObserver(observer));
    }

    /**
     * Hands the model's events to an observer as the API's values. Allocates per event, which only an
     * installed observer (a test) pays: with none, the agent's hot path does not come here.
     */
    private static final class ValuesObserver implements io.churnagent.churn.ChurnObserver {
        private final ChurnObserver observer;

        ValuesObserver(ChurnObserver observer) {
            this.observer = observer;
        }

        @Override
        public void connected(DestinationStats destination, TrimmedStack site) {
            observer.connected(destination(destination), callSite(site));
        }

        @Override
        public void closed(DestinationStats destination) {
            observer.closed(destination(destination));
        }

        @Override
        public void clientBuilt(String family, String handler, TrimmedStack stack) {
            observer.clientBuilt(family, handler, callSite(stack));
        }

        @Override
        public void requestStarted() {
            observer.requestStarted();
        }

        private static Destination destination(DestinationStats d) {
            return new Destination(d.label(), d.isOverflow() ? "other" : d.host(), d.port(), d.isOverflow());
        }

        private static CallSite callSite(TrimmedStack stack) {
            return stack == null ? null : CallSite.described(stack.site(), stack::frames, stack.omitted());
        }
    }

    /** The jar this class came from, which must be the agent's (a directory of classes cannot be attached). */
    static File agentJar() {
        File location;
        try {
            location = new File(InProcessAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot tell where the agent's classes come from (" + e + ")");
        }
        if (!location.isFile()) {
            throw new IllegalStateException("the agent's classes come from " + location
                    + ", not from churn-agent.jar; a directory of classes cannot be loaded as an agent "
                    + "(run the build's package phase, or give the JVM -javaagent:churn-agent.jar)");
        }
        try (JarFile file = new JarFile(location)) {
            if (file.getManifest() == null || file.getManifest().getMainAttributes().getValue("Agent-Class") == null) {
                throw new IllegalStateException(location + " has no Agent-Class in its manifest: not the agent's jar");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + location + ": " + e.getMessage());
        }
        return location;
    }

    /** True when the agent runs, after waiting for a {@code startup=background} start to finish. */
    private static boolean awaitBackgroundStart() {
        try {
            return AgentLifecycle.awaitStart(TimeUnit.SECONDS.toMillis(START_TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return active();
        }
    }

    /** A command's exit status and output, or why it has neither. */
    static final class Ran {
        final int exit;
        final String output;
        final String problem;

        private Ran(int exit, String output, String problem) {
            this.exit = exit;
            this.output = output;
            this.problem = problem;
        }
    }

    /**
     * Runs {@code command} for at most {@code timeoutMillis}, killing it after that. Its output goes to
     * a temporary file, so that a command that hangs with its output open cannot block a read.
     */
    static Ran run(List<String> command, long timeoutMillis) {
        File log = null;
        try {
            log = File.createTempFile("churn-agent-attach", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
            process.getOutputStream().close();
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return new Ran(-1, "", "the attach command did not finish within " + timeoutMillis / 1000 + " s: "
                        + command);
            }
            return new Ran(process.exitValue(), new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8), null);
        } catch (IOException e) {
            return new Ran(-1, "", "cannot run " + command.get(0) + " to load the agent: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Ran(-1, "", "interrupted while loading the agent");
        } finally {
            if (log != null && !log.delete()) {
                log.deleteOnExit();
            }
        }
    }

    private static String lastLine(String output) {
        String[] lines = output.trim().split("\\R");
        return lines.length == 0 ? "" : lines[lines.length - 1].trim();
    }
}
