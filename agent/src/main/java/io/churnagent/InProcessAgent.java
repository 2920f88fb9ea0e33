package io.churnagent;

import io.churnagent.churn.ChurnObserver;
import io.churnagent.churn.ObserverSlot;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * The agent for code in the same JVM (the JUnit extension): starts it here if it does not run yet
 * and installs an in-process {@link ChurnObserver}; thread-safe.
 *
 * <p>A start loads the agent the way an operator would, through {@code java -jar churn-agent.jar
 * attach <this pid>} run with this JVM's own {@code java}: the JDK refuses an attach to oneself unless
 * {@code -Djdk.attach.allowAttachSelf=true}, and the command line's checks (no {@code jdk.attach} in a
 * JRE, {@code -XX:+DisableAttachMechanism}) then give the reason in one line. Like {@link AgentRuntime}
 * this class must not link the bootstrap package: it is loaded before the bridge exists.
 */
public final class InProcessAgent {

    /** How long a start may take: the attach command's own JVM plus the instrumentation, about a second here. */
    static final long START_TIMEOUT_SECONDS = 60;

    private InProcessAgent() {
    }

    /** Whether the agent runs in this JVM. */
    public static boolean active() {
        return AgentRuntime.isActive();
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
        String output;
        int exit;
        try {
            Process attach = new ProcessBuilder(command).redirectErrorStream(true).start();
            attach.getOutputStream().close();
            output = readAll(attach.getInputStream());
            if (!attach.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                attach.destroyForcibly();
                return "the attach command did not finish within " + START_TIMEOUT_SECONDS + " s: " + command;
            }
            exit = attach.exitValue();
        } catch (IOException e) {
            return "cannot run " + java + " to load the agent: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while loading the agent";
        }
        if (active()) {
            return null;
        }
        String reason = lastLine(output);
        return "cannot load the agent into this JVM (attach exited " + exit + (reason.isEmpty() ? "" : ": " + reason)
                + "); give the test JVM -javaagent:" + jar.getPath() + " instead";
    }

    /**
     * Installs {@code observer} (in place of any other); the returned action removes it. Throws
     * {@link IllegalStateException} while the agent does not run.
     */
    public static Runnable observe(ChurnObserver observer) {
        ObserverSlot slot = AgentRuntime.observers();
        if (slot == null) {
            throw new IllegalStateException("the churn agent does not run in this JVM");
        }
        return slot.install(observer);
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (System.getProperty(AgentRuntime.STARTING_PROPERTY) != null && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return active();
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String lastLine(String output) {
        String[] lines = output.trim().split("\\R");
        return lines.length == 0 ? "" : lines[lines.length - 1].trim();
    }
}
