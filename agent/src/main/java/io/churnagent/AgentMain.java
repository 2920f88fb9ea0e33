package io.churnagent;

import java.lang.instrument.Instrumentation;

/**
 * The agent jar's entry points: {@code premain} for {@code -javaagent}, {@code agentmain} for dynamic
 * attach, {@code main} for the command line. Tiny on purpose: it hands over to {@link AgentRuntime}
 * and guarantees that no failure of the agent stops the application from starting.
 */
public final class AgentMain {

    private AgentMain() {
    }

    /** Called by the JVM for {@code -javaagent:churn-agent.jar[=options]}. */
    public static void premain(String args, Instrumentation inst) {
        preloadLazyInvokeClasses();
        if (runsOwnCommandLine()) {
            // JAVA_TOOL_OPTIONS=-javaagent:... (a pod's) reaches every java started there, this jar's
            // own command line too (kubectl exec ... java -jar churn-agent.jar report 1): not watched
            return;
        }
        start(args, inst, "premain");
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
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(first)) {
            java.util.jar.Manifest manifest = jar.getManifest();
            return manifest != null && AgentMain.class.getName()
                    .equals(manifest.getMainAttributes().getValue(java.util.jar.Attributes.Name.MAIN_CLASS));
        } catch (Exception e) {
            return false;
        }
    }

    /** Called by the JVM when the agent is loaded into a running JVM. */
    public static void agentmain(String args, Instrumentation inst) {
        preloadLazyInvokeClasses();
        start(args, inst, "agentmain");
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

    private static void start(String args, Instrumentation inst, String how) {
        try {
            AgentRuntime.start(args, inst, how);
        } catch (Throwable t) {
            System.err.println("[churn-agent] could not start (" + t + "); the application continues without the agent");
        }
    }

    /** The command line; {@code help} and {@code --version} for now. */
    public static void main(String[] args) {
        System.exit(io.churnagent.cli.CommandLine.run(args, System.out, System.err));
    }
}
