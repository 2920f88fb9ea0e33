package io.churnagent.it.programs;

import java.util.List;

/**
 * Prints the agent bridges' swallowed-fault counts as {@code bridge <Name> faults=<n>} (and the last
 * fault's stack): the bridges protect the application by swallowing their faults, so tests assert
 * there were none. Reads the boot-loader classes reflectively; stateless.
 */
public final class BridgeFaults {

    private BridgeFaults() {
    }

    public static void print() {
        for (String bridge : List.of("io.churnagent.bootstrap.ChurnBridge", "io.churnagent.bootstrap.ClientBridge")) {
            try {
                Class<?> b = Class.forName(bridge, false, null);
                Throwable last = (Throwable) b.getMethod("lastFault").invoke(null);
                System.out.println("bridge " + b.getSimpleName() + " faults=" + b.getMethod("faults").invoke(null));
                if (last != null) {
                    last.printStackTrace(System.out);
                }
            } catch (ReflectiveOperationException e) {
                System.out.println("bridge " + bridge + " not loaded: " + e);
            }
        }
    }
}
