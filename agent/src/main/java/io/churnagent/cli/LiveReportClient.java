package io.churnagent.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import io.churnagent.report.LiveReport;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Reads the agent's live report (text or page) from a target JVM: over the target's local JMX
 * connector, or, for a target in another network namespace, through a file the agent writes into its
 * {@code /tmp}; stateless.
 */
final class LiveReportClient {

    private static final Path PROC = Paths.get("/proc");

    private LiveReportClient() {
    }

    /** One attribute of the agent's LiveReport MBean in the target, over the target's local JMX connector. */
    static String read(VirtualMachineDescriptor descriptor, String command, String attribute)
            throws CommandFailure {
        TargetProcess process = TargetProcess.read(PROC, TargetVms.pidOf(descriptor));
        ProcessNamespaces namespaces = ProcessNamespaces.read(PROC, process.pid());
        VirtualMachine vm = AttachChannel.open(descriptor, process, "report " + command);
        if (namespaces.otherNetworkNamespace()) {
            // its local JMX connector listens on a loopback this command cannot reach: the attach channel
            // asks the agent to write the report into its /tmp, read here through /proc/<pid>/root
            try {
                AttachChannel.requireAgent(vm, descriptor);
                return reportThroughFile(vm, descriptor, process, namespaces, attribute.equals("Html"));
            } catch (IOException e) {
                throw new CommandFailure(ExitCode.CANNOT_ATTACH, "lost the connection to " + descriptor.id() + ": " + e.getMessage());
            } finally {
                AttachChannel.detachQuietly(vm);
            }
        }
        String address;
        try {
            AttachChannel.requireAgent(vm, descriptor);
            // the JVM's own local-only connector (what jcmd ManagementAgent.start_local starts)
            address = vm.startLocalManagementAgent();
        } catch (IOException e) {
            throw new CommandFailure(ExitCode.CANNOT_ATTACH, "cannot start the local JMX connector in " + descriptor.id()
                    + ": " + e.getMessage());
        } finally {
            AttachChannel.detachQuietly(vm);
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
            throw new CommandFailure(ExitCode.AGENT_FAILED, "the agent in " + descriptor.id() + " is an older version without "
                    + "the " + attribute + " report; 'detach' it and 'attach' this jar to get it");
        } catch (Exception e) {
            throw new CommandFailure(ExitCode.CANNOT_ATTACH, "cannot read " + LiveReport.OBJECT_NAME + " from "
                    + descriptor.id() + " over JMX (" + address + "): " + e);
        }
    }

    /**
     * The report of an agent in another network namespace: loads the jar with
     * {@code @report:<kind>:<nonce>}, which makes the agent write it to its {@code /tmp}; reads and
     * removes that file through {@code /proc/<pid>/root}.
     */
    private static String reportThroughFile(VirtualMachine vm, VirtualMachineDescriptor descriptor, TargetProcess process,
                                            ProcessNamespaces namespaces, boolean html) throws IOException, CommandFailure {
        if (vm.getSystemProperties().getProperty(AgentState.REPORT_CHANNEL_PROPERTY) == null) {
            throw new CommandFailure(ExitCode.AGENT_FAILED, "the agent in " + descriptor.id() + " is an older version that "
                    + "reports only over JMX, which cannot reach another network namespace; 'detach' it and 'attach' "
                    + "this jar");
        }
        byte[] random = new byte[16];
        new java.security.SecureRandom().nextBytes(random);
        StringBuilder nonce = new StringBuilder();
        for (byte b : random) {
            nonce.append(String.format("%02x", b & 0xff));
        }
        AttachChannel.load(vm, descriptor, process, AgentState.REPORT_ARGUMENT_PREFIX + (html ? "html:" : "text:") + nonce);
        Path file = namespaces.inRoot(AgentState.reportFile(nonce.toString(), html));
        try {
            return new String(java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommandFailure(ExitCode.AGENT_FAILED, "the agent in " + descriptor.id() + " wrote no report to "
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

}
