package io.churnagent.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;

/**
 * {@link Workload.ConnectClose} under JMH, for profiling one configuration (the ratios of the report
 * come from {@link AlternatingRun}): with or without the agent, thread count set by the runner.
 */
public class ConnectCloseBenchmark {

    /** Eight listeners on 127.0.0.1-8 shared by all threads. */
    @State(Scope.Benchmark)
    public static class Servers {
        Workload workload;

        @Setup(Level.Trial)
        public void start() throws IOException {
            workload = new Workload.ConnectClose();
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            workload.close();
        }
    }

    /** Each thread walks the destinations round robin. */
    @State(Scope.Thread)
    public static class Cursor {
        Workload.Operation operation;

        @Setup(Level.Trial)
        public void start(Servers servers) {
            operation = servers.workload.forThread();
        }
    }

    @Benchmark
    public int connectClose(Cursor cursor) throws Exception {
        return cursor.operation.run();
    }
}
