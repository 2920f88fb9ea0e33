package io.churnagent.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import com.sun.tools.attach.spi.AttachProvider;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Finds the JVM a command names, by pid or by a part of its main class or jar, through the JDK's
 * attach API, with JVMs in other pid namespaces named by their pid here; stateless.
 */
final class TargetVms {

    private static final Path PROC = Paths.get("/proc");
    private static final String LOADED_PROPERTY = AgentState.LOADED_PROPERTY;

    private TargetVms() {
    }

    static VirtualMachineDescriptor find(String target) throws CommandFailure {
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
            throw new CommandFailure(ExitCode.NO_SUCH_JVM, "no JVM matches '" + target + "' (by pid or by main class/jar "
                    + "name); 'java -jar churn-agent.jar list' shows the JVMs this user can attach to");
        }
        if (result.size() > 1) {
            StringBuilder names = new StringBuilder();
            for (VirtualMachineDescriptor vm : result) {
                names.append(names.length() == 0 ? "" : ", ").append(vm.id()).append(" (").append(vm.displayName()).append(')');
            }
            throw new CommandFailure(ExitCode.AMBIGUOUS, result.size() + " JVMs match '" + target + "'; name one by pid: " + names);
        }
        return result.get(0);
    }

    /**
     * The JDK's list with every JVM named by its pid here: a JVM in another pid namespace that shares
     * this {@code /tmp} is listed by the JDK under its pid inside its namespace (see {@link HostPids}).
     */
    static List<VirtualMachineDescriptor> listed() {
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

    static long pidOf(VirtualMachineDescriptor descriptor) {
        try {
            return Long.parseLong(descriptor.id());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String agentState(VirtualMachineDescriptor descriptor) {
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

}
