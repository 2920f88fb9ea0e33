package io.churnagent.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Properties;

/**
 * The commands that reach another JVM: {@code list}, {@code attach}, {@code report} (text or page)
 * and {@code detach}; each prints one line for the user and returns its exit status. Finding the JVM
 * is {@link TargetVms}', attaching and loading the jar {@link AttachChannel}'s, reading the live
 * report {@link LiveReportClient}'s. Stateless. Only {@link CommandLine} calls it, and only after
 * checking that this Java has the {@code jdk.attach} module (linking these classes needs it).
 */
final class Attach {

    /** A system property the agent sets in every JVM it runs in, so that {@code list} can tell. */
    static final String LOADED_PROPERTY = AgentState.LOADED_PROPERTY;

    /** The lowest Java feature release the agent's bytecode runs on. */
    static final int MINIMUM_TARGET_JAVA = AttachChannel.MINIMUM_TARGET_JAVA;

    private static final Path PROC = Paths.get("/proc");

    private Attach() {
    }

    static int list(PrintStream out, PrintStream err) {
        List<VirtualMachineDescriptor> vms = TargetVms.listed();
        out.printf("%-8s %-6s %s%n", "PID", "AGENT", "MAIN CLASS / JAR");
        for (VirtualMachineDescriptor vm : vms) {
            if (vm.id().equals(Long.toString(ProcessHandle.current().pid()))) {
                continue;
            }
            out.printf("%-8s %-6s %s%n", vm.id(), TargetVms.agentState(vm), vm.displayName());
        }
        return ExitCode.OK;
    }

    static int attach(String target, String options, PrintStream out, PrintStream err) {
        try {
            VirtualMachineDescriptor descriptor = TargetVms.find(target);
            TargetProcess process = TargetProcess.read(PROC, TargetVms.pidOf(descriptor));
            long started = System.nanoTime();
            VirtualMachine vm = AttachChannel.open(descriptor, process, "attach " + target + (options.isEmpty() ? "" : " " + options));
            boolean already;
            int javaVersion;
            String jar;
            try {
                Properties properties = vm.getSystemProperties();
                javaVersion = featureVersion(properties.getProperty("java.specification.version"));
                if (javaVersion > 0 && javaVersion < MINIMUM_TARGET_JAVA) {
                    throw new CommandFailure(ExitCode.TARGET_TOO_OLD, descriptor.id() + " runs Java "
                            + properties.getProperty("java.version") + "; the agent needs Java " + MINIMUM_TARGET_JAVA
                            + " or newer there (its classes would not load)");
                }
                already = properties.getProperty(LOADED_PROPERTY) != null;
                jar = AttachChannel.load(vm, descriptor, process, options);
            } catch (IOException e) {
                throw new CommandFailure(ExitCode.CANNOT_ATTACH, "lost the connection to " + descriptor.id() + ": " + e.getMessage());
            } finally {
                AttachChannel.detachQuietly(vm);
            }
            long tookMillis = (System.nanoTime() - started) / 1_000_000L;
            if (already) {
                out.printf("churn-agent: the agent already runs in %s (%s); it now uses the options given here "
                        + "(its log says which changed) [%d ms]%n", descriptor.id(), descriptor.displayName(), tookMillis);
            } else {
                out.printf("churn-agent: attached to %s (%s) in %d ms; its warnings and reports go to that JVM's log "
                        + "(stderr unless log.file is set)%n", descriptor.id(), descriptor.displayName(), tookMillis);
            }
            if (!jar.equals(AttachChannel.ownJar())) {
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
        } catch (CommandFailure f) {
            err.println("churn-agent: " + f.getMessage());
            return f.exitCode;
        }
    }

    /** Prints the target's live report, read from the agent's MBean over the local JMX connector. */
    static int report(String target, PrintStream out, PrintStream err) {
        try {
            VirtualMachineDescriptor descriptor = TargetVms.find(target);
            String text = LiveReportClient.read(descriptor, target, "Text");
            out.println("# churn-agent report of " + descriptor.id() + " (" + descriptor.displayName() + ")");
            out.println(text);
            return ExitCode.OK;
        } catch (CommandFailure f) {
            err.println("churn-agent: " + f.getMessage());
            return f.exitCode;
        }
    }

    /** Writes the target's HTML report page (the MBean's {@code Html}) to {@code file}, and says where in one line. */
    static int htmlReport(String target, Path file, PrintStream out, PrintStream err) {
        try {
            VirtualMachineDescriptor descriptor = TargetVms.find(target);
            String page = LiveReportClient.read(descriptor, target + " --html " + file, "Html");
            byte[] bytes = page.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try {
                java.nio.file.Files.write(file, bytes);
            } catch (IOException | RuntimeException e) {
                throw new CommandFailure(ExitCode.CANNOT_WRITE, "cannot write the HTML report to " + file + ": " + e);
            }
            out.println("churn-agent: wrote the HTML report of " + descriptor.id() + " (" + descriptor.displayName()
                    + ") to " + file + " (" + bytes.length + " bytes; open it in a browser)");
            return ExitCode.OK;
        } catch (CommandFailure f) {
            err.println("churn-agent: " + f.getMessage());
            return f.exitCode;
        }
    }

    /** Asks the agent in the target to remove its instrumentation and stop its threads. */
    static int detach(String target, PrintStream out, PrintStream err) {
        try {
            VirtualMachineDescriptor descriptor = TargetVms.find(target);
            TargetProcess process = TargetProcess.read(PROC, TargetVms.pidOf(descriptor));
            long started = System.nanoTime();
            VirtualMachine vm = AttachChannel.open(descriptor, process, "detach " + target);
            try {
                AttachChannel.requireAgent(vm, descriptor);
                AttachChannel.load(vm, descriptor, process, AgentState.DETACH_ARGUMENT);
                if (vm.getSystemProperties().getProperty(LOADED_PROPERTY) != null) {
                    throw new CommandFailure(ExitCode.AGENT_FAILED, "the agent in " + descriptor.id()
                            + " did not detach; its log says why");
                }
            } catch (IOException e) {
                throw new CommandFailure(ExitCode.CANNOT_ATTACH, "lost the connection to " + descriptor.id() + ": " + e.getMessage());
            } finally {
                AttachChannel.detachQuietly(vm);
            }
            out.printf("churn-agent: detached from %s (%s) in %d ms: instrumentation removed, agent threads stopped; "
                            + "'attach' loads it again%n", descriptor.id(), descriptor.displayName(),
                    (System.nanoTime() - started) / 1_000_000L);
            return ExitCode.OK;
        } catch (CommandFailure f) {
            err.println("churn-agent: " + f.getMessage());
            return f.exitCode;
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


}
