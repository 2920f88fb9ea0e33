package io.churnagent.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;

/**
 * A {@link Workload} under JMH, for profiling one configuration (the ratios of the report come from
 * {@link AlternatingRun}): with or without the agent, thread count set by the runner. Pick the
 * workload with {@code -p workload=connect-close} (eight loopback listeners, each thread walks them
 * round robin) or {@code -p workload=keep-alive} (one server and one client all threads share).
 */
public class WorkloadBenchmark {

    /** The workload's servers (and shared client), one per trial. */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"connect-close", "keep-alive"})
        String workload;

        Workload running;

        @Setup(Level.Trial)
        public void start() throws IOException {
            running = Workload.named(workload);
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            running.close();
        }
    }

    /** Each thread's own operation on the shared workload. */
    @State(Scope.Thread)
    public static class PerThread {
        Workload.Operation operation;

        @Setup(Level.Trial)
        public void start(Shared shared) {
            operation = shared.running.forThread();
        }
    }

    @Benchmark
    public int operation(PerThread thread) throws Exception {
        return thread.operation.run();
    }
}
