package io.churnagent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import com.sun.tools.attach.spi.AttachProvider;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code list} and {@code attach}: finds JVMs through the JDK's attach API and loads this jar into
 * one as an agent (its {@code agentmain}). Stateless.
 */
public final class Attach {

    /** A system property the agent sets in every JVM it runs in, so that {@code list} can tell. */
    public static final String LOADED_PROPERTY = "io.churnagent.active";

    private Attach() {
    }

    static int list(PrintStream out, PrintStream err) {
        if (!attachModulePresent(err)) {
            return ExitCode.NO_ATTACH_MODULE;
        }
        List<VirtualMachineDescriptor> vms = VirtualMachine.list();
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
        if (!attachModulePresent(err)) {
            return ExitCode.NO_ATTACH_MODULE;
        }
        List<VirtualMachineDescriptor> matches = find(target);
        if (matches.isEmpty()) {
            err.println("churn-agent: no JVM matches '" + target + "' (by pid or by main class/jar name); "
                    + "'java -jar churn-agent.jar list' shows the JVMs this user can attach to");
            return ExitCode.NO_SUCH_JVM;
        }
        if (matches.size() > 1) {
            err.println("churn-agent: " + matches.size() + " JVMs match '" + target + "'; name one by pid:");
            for (VirtualMachineDescriptor vm : matches) {
                err.println("  " + vm.id() + "  " + vm.displayName());
            }
            return ExitCode.AMBIGUOUS;
        }
        VirtualMachineDescriptor descriptor = matches.get(0);
        String jar = ownJar();
        long started = System.nanoTime();
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(descriptor);
        } catch (AttachNotSupportedException | IOException e) {
            err.println("churn-agent: cannot attach to " + descriptor.id() + ": " + e.getMessage()
                    + " (the target must run as this user, on a compatible JVM, without -XX:+DisableAttachMechanism)");
            return ExitCode.CANNOT_ATTACH;
        }
        try {
            vm.loadAgent(jar, options);
        } catch (AgentInitializationException | AgentLoadException e) {
            err.println("churn-agent: the agent did not start in " + descriptor.id() + ": " + e.getMessage()
                    + " (its own log in the target says why)");
            return ExitCode.AGENT_FAILED;
        } catch (IOException e) {
            err.println("churn-agent: lost the connection to " + descriptor.id() + " while loading the agent: " + e.getMessage());
            return ExitCode.CANNOT_ATTACH;
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the agent is loaded; the attach channel closing badly changes nothing
            }
        }
        out.printf("churn-agent: attached to %s (%s) in %d ms; its warnings and reports go to that JVM's log "
                        + "(stderr unless log.file is set). On JDK 21+ the target prints a one-time "
                        + "dynamic-agent warning; -XX:+EnableDynamicAgentLoading silences it.%n",
                descriptor.id(), descriptor.displayName(), (System.nanoTime() - started) / 1_000_000L);
        return ExitCode.OK;
    }

    private static List<VirtualMachineDescriptor> find(String target) {
        List<VirtualMachineDescriptor> result = new ArrayList<>();
        String self = Long.toString(ProcessHandle.current().pid());
        boolean pid = target.chars().allMatch(Character::isDigit);
        for (VirtualMachineDescriptor vm : VirtualMachine.list()) {
            if (vm.id().equals(self)) {
                continue;
            }
            if (pid ? vm.id().equals(target) : vm.displayName().contains(target)) {
                result.add(vm);
            }
        }
        if (pid && result.isEmpty() && ProcessHandle.of(Long.parseLong(target)).isPresent()) {
            // not advertised (other user, or perf data disabled): let attach itself say what is wrong
            List<AttachProvider> providers = AttachProvider.providers();
            if (!providers.isEmpty()) {
                result.add(new VirtualMachineDescriptor(providers.get(0), target, "pid " + target));
            }
        }
        return result;
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

    private static String ownJar() {
        try {
            return new File(Attach.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getAbsolutePath();
        } catch (Exception e) {
            throw new IllegalStateException("cannot locate churn-agent.jar", e);
        }
    }

    private static boolean attachModulePresent(PrintStream err) {
        if (ModuleLayer.boot().findModule("jdk.attach").isEmpty()) {
            err.println("churn-agent: this Java (" + System.getProperty("java.home") + ") has no jdk.attach module; "
                    + "run the command with a JDK's java, not a JRE");
            return false;
        }
        return true;
    }
}
