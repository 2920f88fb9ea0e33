package io.churnagent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The attach channel to one target JVM: opens it (saying why the JDK would refuse: another user, a
 * container's file system, {@code -XX:+DisableAttachMechanism}), loads this jar with arguments
 * (copied into the target's {@code /tmp} when it cannot see ours), closes it; stateless.
 */
final class AttachChannel {

    /** The lowest Java feature release the agent's bytecode runs on. */
    static final int MINIMUM_TARGET_JAVA = 11;

    private static final Path PROC = Paths.get("/proc");
    private static final String LOADED_PROPERTY = AgentState.LOADED_PROPERTY;

    private AttachChannel() {
    }

    static void requireAgent(VirtualMachine vm, VirtualMachineDescriptor descriptor) throws IOException, CommandFailure {
        if (vm.getSystemProperties().getProperty(LOADED_PROPERTY) == null) {
            throw new CommandFailure(ExitCode.NOT_ACTIVE, "the agent is not active in " + descriptor.id() + " ("
                    + descriptor.displayName() + "); 'java -jar churn-agent.jar attach " + descriptor.id() + "' loads it");
        }
    }

    /**
     * Attaches, explaining the refusals the JDK would report only as a timeout or a bare exception:
     * another user's process, and a JVM started with {@code -XX:+DisableAttachMechanism}.
     */
    static VirtualMachine open(VirtualMachineDescriptor descriptor, TargetProcess process, String command)
            throws CommandFailure {
        int ownUid = TargetProcess.ownUid();
        if (ownUid > 0 && process.uid() >= 0 && process.uid() != ownUid) {
            throw new CommandFailure(ExitCode.OTHER_USER, descriptor.id() + " runs as user " + process.user()
                    + " and this command as uid " + ownUid + "; a JVM accepts an attach only from its own user (or root): "
                    + "run 'sudo -u " + process.user() + " " + javaCommand() + " " + command + "'");
        }
        ProcessNamespaces namespaces = ProcessNamespaces.read(PROC, process.pid());
        String unreachable = namespaces.unreachableFileSystem();
        if (unreachable != null) {
            throw new CommandFailure(ExitCode.CANNOT_ATTACH, descriptor.id() + " runs in another mount namespace (a container) "
                    + "and " + unreachable + "; the attach goes through that file system: run this as root on the host, "
                    + "or inside the container ('" + command + "' with its pid there, " + namespaces.namespacePid() + ")");
        }
        if (process.hasArgument("-XX:+DisableAttachMechanism")) {
            throw new CommandFailure(ExitCode.ATTACH_DISABLED, descriptor.id() + " was started with -XX:+DisableAttachMechanism, "
                    + "so it accepts no attach; restart it without that flag, or with -javaagent:" + ownJar());
        }
        try {
            return VirtualMachine.attach(descriptor);
        } catch (AttachNotSupportedException | IOException e) {
            throw new CommandFailure(ExitCode.CANNOT_ATTACH, "cannot attach to " + descriptor.id() + ": " + e.getMessage()
                    + " (the target must be a HotSpot JVM of Java " + MINIMUM_TARGET_JAVA + "+ that is still running)");
        }
    }

    /** Loads the agent jar with {@code arguments}; returns the jar's path as the target saw it. */
    static String load(VirtualMachine vm, VirtualMachineDescriptor descriptor, TargetProcess process,
                               String arguments) throws CommandFailure {
        String jar;
        try {
            jar = AgentJarPlacement.forTarget(ownJar(), ProcessNamespaces.read(PROC, process.pid()));
        } catch (IOException | RuntimeException e) {
            throw new CommandFailure(ExitCode.CANNOT_ATTACH, descriptor.id() + " does not see " + ownJar() + " in its file system "
                    + "(a container), and copying it into its /tmp through /proc/" + process.pid() + "/root failed: " + e);
        }
        try {
            vm.loadAgent(jar, arguments);
        } catch (AgentLoadException e) {
            if (process.hasArgument("-XX:-EnableDynamicAgentLoading")) {
                throw new CommandFailure(ExitCode.ATTACH_DISABLED, descriptor.id() + " was started with "
                        + "-XX:-EnableDynamicAgentLoading, so it refuses agents while it runs; restart it with -javaagent:"
                        + ownJar());
            }
            if (String.valueOf(e.getMessage()).contains("java.instrument")) {
                throw new CommandFailure(ExitCode.AGENT_FAILED, descriptor.id() + "'s Java runtime has no java.instrument module "
                        + "(a jlink image), so it cannot load any agent; build it with --add-modules java.instrument");
            }
            throw new CommandFailure(ExitCode.AGENT_FAILED, "the agent did not load in " + descriptor.id() + ": " + e.getMessage()
                    + " (the target's stderr says why)");
        } catch (AgentInitializationException e) {
            throw new CommandFailure(ExitCode.AGENT_FAILED, "the agent did not start in " + descriptor.id() + ": "
                    + e.getMessage() + " (its own log in the target says why)");
        } catch (IOException e) {
            throw new CommandFailure(ExitCode.CANNOT_ATTACH, "lost the connection to " + descriptor.id()
                    + " while loading the agent: " + e.getMessage());
        }
        return jar;
    }

    static void detachQuietly(VirtualMachine vm) {
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
            return new File(AttachChannel.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getAbsolutePath();
        } catch (Exception e) {
            return "churn-agent.jar";
        }
    }}
