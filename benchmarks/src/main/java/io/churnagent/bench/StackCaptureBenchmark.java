package io.churnagent.bench;

import io.churnagent.churn.StackSource;
import io.churnagent.churn.TrimmedStack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One call-site capture as the agent does it when a client is built inside a handler: a bounded
 * StackWalker walk and the trimming to the application frame, from a stack {@code depth} frames deep
 * (a servlet container under a framework is 100+). Uses the agent's own classes, so it runs with
 * {@code -javaagent} (which puts them on the class path).
 */
@State(Scope.Thread)
public class StackCaptureBenchmark {

    /** The agent's bound on captured frames (ClientSiteRecorder and ConnectSiteSampler use 256). */
    private static final int MAX_DEPTH = 256;

    @Param({"20", "120"})
    public int depth;

    @Benchmark
    public Object capture() {
        return descend(depth);
    }

    /** Reference: every frame made a StackTraceElement first, then trimmed (what the agent did before). */
    @Benchmark
    public Object captureAllThenTrim() {
        return descend(depth, true);
    }

    private static Object descend(int remaining) {
        return descend(remaining, false);
    }

    private static Object descend(int remaining, boolean allFrames) {
        if (remaining > 0) {
            return descend(remaining - 1, allFrames);
        }
        return allFrames ? TrimmedStack.of(StackSource.WALKER.capture(MAX_DEPTH)) : StackSource.WALKER.trimmed(MAX_DEPTH);
    }
}
