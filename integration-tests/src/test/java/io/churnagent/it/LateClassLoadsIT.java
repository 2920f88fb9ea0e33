package io.churnagent.it;

import io.churnagent.it.programs.LateClassLoads;

import org.junit.jupiter.api.parallel.Isolated;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's paths that first run long after its start (stack captures of sampled connections, a
 * warning, the reports with their socket-table reads and decimals) load no JDK class then: {@code FirstUse} ran
 * them at start-up. A JDK class loaded late can make the JIT throw away the application's compiled
 * code (a second implementation of an interface it counted on being alone), so in a hot application
 * it costs a recompile on the application's cores. Checked with {@code -Xlog:class+load} between two
 * marker classes of the program.
 */
@Isolated("in the host's network, where it always ran: in a PrivateNetwork (an empty socket table at start-up) JDK 17 "
        + "loaded jdk.internal.misc.ScopedMemoryAccess$Scope on a late path, 2026-12-07; and a neighbour's churn would "
        + "run the kernel fallback's paths in its window")
class LateClassLoadsIT {

    @OnEachJdk
    void noJdkClassLoadsOnTheAgentsLatePaths(Path jdk) throws Exception {
        Path log = Files.createTempFile("late-class-loads", ".log");
        try {
            ForkedJvm jvm = new ForkedJvm(jdk).withAgent("report.interval=5s,capacity=100")
                    .jvmArg("-Xlog:class+load=info:file=" + log)
                    .mainClass(LateClassLoads.class, "60", "6");
            assertEquals(0, jvm.run(Duration.ofSeconds(90)), jvm::stderr);
            assertTrue(jvm.stdout().contains("done"), jvm::stdout);
            // the paths did run: a warning (60 closes against a capacity of 100), a periodic report and a
            // sampled call site
            assertTrue(jvm.agentEvents().stream().anyMatch(e -> "churn_warning".equals(e.event())), jvm::stderr);
            assertTrue(jvm.agentEvents().stream().anyMatch(e -> "churn_report_summary".equals(e.event())
                    && "periodic".equals(e.get("reason"))), jvm::stderr);
            assertTrue(jvm.stderr().contains("site=io.churnagent.it.programs.LateClassLoads."), jvm::stderr);

            List<String> between = between(Files.readAllLines(log), "LateClassLoads$Begin", "LateClassLoads$End");
            List<String> jdkClasses = new ArrayList<>();
            for (String line : between) {
                // the agent's own classes extend none of the application's types; a LambdaForm class is
                // the JDK customising a method handle after its 128th call (JDK 25's stack walker makes
                // its frames through one), a final hidden class no compiled code can depend on. But an
                // agent lambda's class means a call site linked late: that links through the JDK's
                // bootstrap method handle, and on JDK 17 the link that is its 128th loads
                // java.lang.invoke.MethodHandle$1 (as the first warning's sort of call sites did)
                boolean agentClass = line.contains(" io.churnagent.") && !line.contains("$$Lambda");
                if (!agentClass && !line.contains(" java.lang.invoke.LambdaForm$")) {
                    jdkClasses.add(line);
                }
            }
            assertEquals(List.of(), jdkClasses, "JDK classes (or agent lambdas) loaded on the agent's late paths");
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The class-load lines after the one of {@code begin} and before the one of {@code end}. */
    private static List<String> between(List<String> lines, String begin, String end) {
        List<String> result = new ArrayList<>();
        boolean in = false;
        for (String line : lines) {
            if (line.contains(end + " ")) {
                return result;
            }
            if (in) {
                result.add(line);
            }
            in |= line.contains(begin + " ");
        }
        throw new AssertionError("no marker classes in the class-load log (" + lines.size() + " lines)");
    }
}
