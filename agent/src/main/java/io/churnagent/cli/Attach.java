package io.churnagent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import com.sun.tools.attach.spi.AttachProvider;
import io.churnagent.report.LiveReport;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code list}, {@code attach}, {@code report} and {@code detach}: finds JVMs through the JDK's attach
 * API and talks to the agent in them. Stateless. Only {@link CommandLine} calls it, and only after
 * checking that this Java has the {@code jdk.attach} module (linking this class needs it).
 */
final class Attach {

    /** A system property the agent sets in every JVM it runs in, so that {@code list} can tell. */
    static final String LOADED_PROPERTY = AgentState.LOADED_PROPERTY;

    /** The lowest Java feature release the agent's bytecode runs on. */
    static final int MINIMUM_TARGET_JAVA = 11;

    private static final Path PROC = Paths.get("/proc");

    private Attach() {
    }

    /** One line for the user and the exit status that ends the command. */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }
    }

    static int list(PrintStream out, PrintStream err) {
        List<VirtualMachineDescriptor> vms = listed();
        out.printf("%-8s %-6s %s%n", "PID", "AGENT", "MAIN CLASS / JAR");
        for (VirtualMachineDescriptor vm : vms) {
            if (vm.id().equals(Long.toString(ProcessHandle.current().pid()))) {
                continue;
            }
            out.printf("%-8s %-6s %s%n", vm.id(), agentState(vm), vm.displayName());
        }
        return ExitCode.OK;
    }

    static int attach(String target, String options, PrintStream out, PrintStream err) {
        try {
            VirtualMachineDescriptor descriptor = find(target);
            TargetProcess process = TargetProcess.read(PROC, pidOf(descriptor));
            long started = System.nanoTime();
            VirtualMachine vm = open(descriptor, process, "attach " + target + (options.isEmpty() ? "" : " " + options));
            boolean already;
            int javaVersion;
            String jar;
            try {
                Properties properties = vm.getSystemProperties();
                javaVersion = featureVersion(properties.getProperty("java.specification.version"));
                if (javaVersion > 0 && javaVersion < MINIMUM_TARGET_JAVA) {
                    throw new Failure(ExitCode.TARGET_TOO_OLD, descriptor.id() + " runs Java "
                            + properties.getProperty("java.version") + "; the agent needs Java " + MINIMUM_TARGET_JAVA
                            + " or newer there (its classes would not load)");
                }
                already = properties.getProperty(LOADED_PROPERTY) != null;
                jar = load(vm, descriptor, process, options);
            } catch (IOException e) {
                throw new Failure(ExitCode.CANNOT_ATTACH, "lost the connection to " + descriptor.id() + ": " + e.getMessage());
            } finally {
                detachQuietly(vm);
            }
            long tookMillis = (System.nanoTime() - started) / 1_000_000L;
            if (already) {
                out.printf("churn-agent: the agent already runs in %s (%s); it now uses the options given here "
                        + "(its log says which changed) [%d ms]%n", descriptor.id(), descriptor.displayName(), tookMillis);
            } else {
                out.printf("churn-agent: attached to %s (%s) in %d ms; its warnings and reports go to that JVM's log "
                        + "(stderr unless log.file is set)%n", descriptor.id(), descriptor.displayName(), tookMillis);
            }
            if (!jar.equals(ownJar())) {
                out.println("churn-agent: " + descriptor.id() + " runs in its own file system (a container): the agent "
                        + "jar was copied to " + jar + " there; inside it is pid "
                        + ProcessNamespaces.read(PROC, process.pid()).namespacePid());
            }
            if (javaVersion >= 21 && !process.hasArgument("-XX:+EnableDynamicAgentLoading")) {
                out.println("churn-agent: note: Java " + javaVersion + " prints \"WARNING: A Java agent has been loaded "
                        + "dynamically\" into " + descriptor.id() + "'s output; the attach worked all the same. Start it "
                        + "with -XX:+EnableDynamicAgentLoading to silence that warning.");
            }
            return ExitCode.OK;
        } catch (Failure f) {
            err.println("churn-agent: " + f.getMessage());
            return f.exitCode;
        }
    }

    /** Prints the target's live report, read from the agent's MBean over the local JMX connector. */
    static int report(String target, PrintStream out, PrintStream err) {
        try {
            VirtualMachineDescriptor descriptor = find(target);
            String text = liveReport(descriptor, target, "Text");
            out.println("# churn-agent report of " + descriptor.id() + " (" + descriptor.displayName() + ")");
            out.println(text);
            return ExitCode.OK;
        } catch (Failure f) {
            err.println("churn-agent: " + f.getMessage());
            return f.exitCode;
        }
    }

    /** Writes the target's HTML report page (the MBean's {@code Html}) to {@code file}, and says where in one line. */
    static int htmlReport(String target, Path file, PrintStream out, PrintStream err) {
        try {
            VirtualMachineDescriptor descriptor = find(target);
            String page = liveReport(descriptor, target + " --html " + file, "Html");
            byte[] bytes = page.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try {
                java.nio.file.Files.write(file, bytes);
            } catch (IOException | RuntimeException e) {
                throw new Failure(ExitCode.CANNOT_WRITE, "cannot write the HTML report to " + file + ": " + e);
            }
            out.println("churn-agent: wrote the HTML report of " + descriptor.id() + " (" + descriptor.displayName()
                    + ") to " + file + " (" + bytes.length + " bytes; open it in a browser)");
            return ExitCode.OK;
        } catch (Failure f) {
            err.println("churn-agent: " + f.getMessage());
            return f.exitCode;
        }
    }

    /** One attribute of the agent's LiveReport MBean in the target, over the target's local JMX connector. */
    private static String liveReport(VirtualMachineDescriptor descriptor, String command, String attribute)
            throws Failure {
        TargetProcess process = TargetProcess.read(PROC, pidOf(descriptor));
        ProcessNamespaces namespaces = ProcessNamespaces.read(PROC, process.pid());
        VirtualMachine vm = open(descriptor, process, "report " + command);
        if (namespaces.otherNetworkNamespace()) {
            // its local JMX connector listens on a loopback this command cannot reach: the attach channel
            // asks the agent to write the report into its /tmp, read here through /proc/<pid>/root
            try {
                requireAgent(vm, descriptor);
                return reportThroughFile(vm, descriptor, process, namespaces, attribute.equals("Html"));
            } catch (IOException e) {
                throw new Failure(ExitCode.CANNOT_ATTACH, "lost the connection to " + descriptor.id() + ": " + e.getMessage());
            } finally {
                detachQuietly(vm);
            }
        }
        String address;
        try {
            requireAgent(vm, descriptor);
            // the JVM's own local-only connector (what jcmd ManagementAgent.start_local starts)
            address = vm.startLocalManagementAgent();
        } catch (IOException e) {
            throw new Failure(ExitCode.CANNOT_ATTACH, "cannot start the local JMX connector in " + descriptor.id()
                    + ": " + e.getMessage());
        } finally {
            detachQuietly(vm);
        }
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            ObjectName name = new ObjectName(LiveReport.OBJECT_NAME);
            // the agent registers its MBean on its reporter thread just after it starts
            for (int wait = 0; wait < 50 && !server.isRegistered(name); wait++) {
                Thread.sleep(100);
            }
            return (String) server.getAttribute(name, attribute);
        } catch (javax.management.AttributeNotFoundException e) {
            throw new Failure(ExitCode.AGENT_FAILED, "the agent in " + descriptor.id() + " is an older version without "
                    + "the " + attribute + " report; 'detach' it and 'attach' this jar to get it");
        } catch (Exception e) {
            throw new Failure(ExitCode.CANNOT_ATTACH, "cannot read " + LiveReport.OBJECT_NAME + " from "
                    + descriptor.id() + " over JMX (" + address + "): " + e);
        }
    }

    /**
     * The report of an agent in another network namespace: loads the jar with
     * {@code @report:<kind>:<nonce>}, which makes the agent write it to its {@code /tmp}; reads and
     * removes that file through {@code /proc/<pid>/root}.
     */
    private static String reportThroughFile(VirtualMachine vm, VirtualMachineDescriptor descriptor, TargetProcess process,
                                            ProcessNamespaces namespaces, boolean html) throws IOException, Failure {
        if (vm.getSystemProperties().getProperty(AgentState.REPORT_CHANNEL_PROPERTY) == null) {
            throw new Failure(ExitCode.AGENT_FAILED, "the agent in " + descriptor.id() + " is an older version that "
                    + "reports only over JMX, which cannot reach another network namespace; 'detach' it and 'attach' "
                    + "this jar");
        }
        byte[] random = new byte[16];
        new java.security.SecureRandom().nextBytes(random);
        StringBuilder nonce = new StringBuilder();
        for (byte b : random) {
            nonce.append(String.format("%02x", b & 0xff));
        }
        load(vm, descriptor, process, AgentState.REPORT_ARGUMENT_PREFIX + (html ? "html:" : "text:") + nonce);
        Path file = namespaces.inRoot(AgentState.reportFile(nonce.toString(), html));
        try {
            return new String(java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Failure(ExitCode.AGENT_FAILED, "the agent in " + descriptor.id() + " wrote no report to "
                    + AgentState.reportFile(nonce.toString(), html) + " in its file system (is its /tmp full or "
                    + "read-only?): " + e);
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // left in the target's /tmp; it is the target's own file, readable only by its user
            }
        }
    }

    /** Asks the agent in the target to remove its instrumentation and stop its threads. */
    static int detach(String target, PrintStream out, PrintStream err) {
        try {
            VirtualMachineDescriptor descriptor = find(target);
            TargetProcess process = TargetProcess.read(PROC, pidOf(descriptor));
            long started = System.nanoTime();
            VirtualMachine vm = open(descriptor, process, "detach " + target);
            try {
                requireAgent(vm, descriptor);
                load(vm, descriptor, process, AgentState.DETACH_ARGUMENT);
                if (vm.getSystemProperties().getProperty(LOADED_PROPERTY) != null) {
                    throw new Failure(ExitCode.AGENT_FAILED, "the agent in " + descriptor.id()
                            + " did not detach; its log says why");
                }
            } catch (IOException e) {
                throw new Failure(ExitCode.CANNOT_ATTACH, "lost the connection to " + descriptor.id() + ": " + e.getMessage());
            } finally {
                detachQuietly(vm);
            }
            out.printf("churn-agent: detached from %s (%s) in %d ms: instrumentation removed, agent threads stopped; "
                            + "'attach' loads it again%n", descriptor.id(), descriptor.displayName(),
                    (System.nanoTime() - started) / 1_000_000L);
            return ExitCode.OK;
        } catch (Failure f) {
            err.println("churn-agent: " + f.getMessage());
            return f.exitCode;
        }
    }

    private static void requireAgent(VirtualMachine vm, VirtualMachineDescriptor descriptor) throws IOException, Failure {
        if (vm.getSystemProperties().getProperty(LOADED_PROPERTY) == null) {
            throw new Failure(ExitCode.NOT_ACTIVE, "the agent is not active in " + descriptor.id() + " ("
                    + descriptor.displayName() + "); 'java -jar churn-agent.jar attach " + descriptor.id() + "' loads it");
        }
    }

    /**
     * Attaches, explaining the refusals the JDK would report only as a timeout or a bare exception:
     * another user's process, and a JVM started with {@code -XX:+DisableAttachMechanism}.
     */
    private static VirtualMachine open(VirtualMachineDescriptor descriptor, TargetProcess process, String command)
            throws Failure {
        int ownUid = TargetProcess.ownUid();
        if (ownUid > 0 && process.uid() >= 0 && process.uid() != ownUid) {
            throw new Failure(ExitCode.OTHER_USER, descriptor.id() + " runs as user " + process.user()
                    + " and this command as uid " + ownUid + "; a JVM accepts an attach only from its own user (or root): "
                    + "run 'sudo -u " + process.user() + " " + javaCommand() + " " + command + "'");
        }
        ProcessNamespaces namespaces = ProcessNamespaces.read(PROC, process.pid());
        String unreachable = namespaces.unreachableFileSystem();
        if (unreachable != null) {
            throw new Failure(ExitCode.CANNOT_ATTACH, descriptor.id() + " runs in another mount namespace (a container) "
                    + "and " + unreachable + "; the attach goes through that file system: run this as root on the host, "
                    + "or inside the container ('" + command + "' with its pid there, " + namespaces.namespacePid() + ")");
        }
        if (process.hasArgument("-XX:+DisableAttachMechanism")) {
            throw new Failure(ExitCode.ATTACH_DISABLED, descriptor.id() + " was started with -XX:+DisableAttachMechanism, "
                    + "so it accepts no attach; restart it without that flag, or with -javaagent:" + ownJar());
        }
        try {
            return VirtualMachine.attach(descriptor);
        } catch (AttachNotSupportedException | IOException e) {
            throw new Failure(ExitCode.CANNOT_ATTACH, "cannot attach to " + descriptor.id() + ": " + e.getMessage()
                    + " (the target must be a HotSpot JVM of Java " + MINIMUM_TARGET_JAVA + "+ that is still running)");
        }
    }

    /** Loads the agent jar with {@code arguments}; returns the jar's path as the target saw it. */
    private static String load(VirtualMachine vm, VirtualMachineDescriptor descriptor, TargetProcess process,
                               String arguments) throws Failure {
        String jar;
        try {
            jar = AgentJarPlacement.forTarget(ownJar(), ProcessNamespaces.read(PROC, process.pid()));
        } catch (IOException | RuntimeException e) {
            throw new Failure(ExitCode.CANNOT_ATTACH, descriptor.id() + " does not see " + ownJar() + " in its file system "
                    + "(a container), and copying it into its /tmp through /proc/" + process.pid() + "/root failed: " + e);
        }
        try {
            vm.loadAgent(jar, arguments);
        } catch (AgentLoadException e) {
            if (process.hasArgument("-XX:-EnableDynamicAgentLoading")) {
                throw new Failure(ExitCode.ATTACH_DISABLED, descriptor.id() + " was started with "
                        + "-XX:-EnableDynamicAgentLoading, so it refuses agents while it runs; restart it with -javaagent:"
                        + ownJar());
            }
            if (String.valueOf(e.getMessage()).contains("java.instrument")) {
                throw new Failure(ExitCode.AGENT_FAILED, descriptor.id() + "'s Java runtime has no java.instrument module "
                        + "(a jlink image), so it cannot load any agent; build it with --add-modules java.instrument");
            }
            throw new Failure(ExitCode.AGENT_FAILED, "the agent did not load in " + descriptor.id() + ": " + e.getMessage()
                    + " (the target's stderr says why)");
        } catch (AgentInitializationException e) {
            throw new Failure(ExitCode.AGENT_FAILED, "the agent did not start in " + descriptor.id() + ": "
                    + e.getMessage() + " (its own log in the target says why)");
        } catch (IOException e) {
            throw new Failure(ExitCode.CANNOT_ATTACH, "lost the connection to " + descriptor.id()
                    + " while loading the agent: " + e.getMessage());
        }
        return jar;
    }

    private static VirtualMachineDescriptor find(String target) throws Failure {
        List<VirtualMachineDescriptor> result = new ArrayList<>();
        String self = Long.toString(ProcessHandle.current().pid());
        boolean pid = !target.isEmpty() && target.chars().allMatch(Character::isDigit);
        for (VirtualMachineDescriptor vm : listed()) {
            if (vm.id().equals(self)) {
                continue;
            }
            if (pid ? vm.id().equals(target) : vm.displayName().contains(target)) {
                result.add(vm);
            }
        }
        if (pid && result.isEmpty() && processExists(target)) {
            // not advertised (another user's, attach disabled, perf data off): attach itself says what is wrong
            List<AttachProvider> providers = AttachProvider.providers();
            if (!providers.isEmpty()) {
                result.add(new VirtualMachineDescriptor(providers.get(0), target, "pid " + target));
            }
        }
        if (result.isEmpty()) {
            throw new Failure(ExitCode.NO_SUCH_JVM, "no JVM matches '" + target + "' (by pid or by main class/jar "
                    + "name); 'java -jar churn-agent.jar list' shows the JVMs this user can attach to");
        }
        if (result.size() > 1) {
            StringBuilder names = new StringBuilder();
            for (VirtualMachineDescriptor vm : result) {
                names.append(names.length() == 0 ? "" : ", ").append(vm.id()).append(" (").append(vm.displayName()).append(')');
            }
            throw new Failure(ExitCode.AMBIGUOUS, result.size() + " JVMs match '" + target + "'; name one by pid: " + names);
        }
        return result.get(0);
    }

    /**
     * The JDK's list with every JVM named by its pid here: a JVM in another pid namespace that shares
     * this {@code /tmp} is listed by the JDK under its pid inside its namespace (see {@link HostPids}).
     */
    private static List<VirtualMachineDescriptor> listed() {
        HostPids hostPids = HostPids.scan(PROC, Paths.get("/tmp"));
        List<VirtualMachineDescriptor> result = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (VirtualMachineDescriptor vm : VirtualMachine.list()) {
            String id = hostPids.resolve(vm.id());
            if (seen.add(id)) {
                result.add(id.equals(vm.id()) ? vm : new VirtualMachineDescriptor(vm.provider(), id, vm.displayName()));
            }
        }
        return result;
    }

    private static boolean processExists(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).isPresent();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static long pidOf(VirtualMachineDescriptor descriptor) {
        try {
            return Long.parseLong(descriptor.id());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code 1.8} → 8, {@code 17} → 17; 0 when unknown. */
    static int featureVersion(String specification) {
        if (specification == null) {
            return 0;
        }
        String s = specification.startsWith("1.") ? specification.substring(2) : specification;
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        try {
            return end == 0 ? 0 : Integer.parseInt(s.substring(0, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String agentState(VirtualMachineDescriptor descriptor) {
        try {
            VirtualMachine vm = VirtualMachine.attach(descriptor);
            try {
                Properties p = vm.getSystemProperties();
                return p.getProperty(LOADED_PROPERTY) != null ? "yes" : "no";
            } finally {
                vm.detach();
            }
        } catch (Exception e) {
            return "?";
        }
    }

    private static void detachQuietly(VirtualMachine vm) {
        try {
            vm.detach();
        } catch (IOException ignored) {
            // the command is done; the attach channel closing badly changes nothing
        }
    }

    private static String javaCommand() {
        return Paths.get(System.getProperty("java.home"), "bin", "java") + " -jar " + ownJar();
    }

    static String ownJar() {
        try {
            return new File(Attach.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getAbsolutePath();
        } catch (Exception e) {
            return "churn-agent.jar";
        }
    }
}
