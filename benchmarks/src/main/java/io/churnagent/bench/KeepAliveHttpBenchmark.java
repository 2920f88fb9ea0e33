package io.churnagent.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;

/**
 * {@link Workload.KeepAlive} under JMH, for profiling one configuration (the ratios of the report
 * come from {@link AlternatingRun}).
 */
public class KeepAliveHttpBenchmark {

    /** The server and the one client every thread shares. */
    @State(Scope.Benchmark)
    public static class Service {
        Workload workload;

        @Setup(Level.Trial)
        public void start() throws IOException {
            workload = new Workload.KeepAlive();
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            workload.close();
        }
    }

    /** Each thread's operation on the shared client. */
    @State(Scope.Thread)
    public static class Caller {
        Workload.Operation operation;

        @Setup(Level.Trial)
        public void start(Service service) {
            operation = service.workload.forThread();
        }
    }

    @Benchmark
    public int request(Caller caller) throws Exception {
        return caller.operation.run();
    }
}
