package io.churnagent.bench;

import io.churnagent.churn.StackSource;
import io.churnagent.churn.TrimmedStack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One call-site capture as the agent does it when a client is built: a bounded StackWalker walk and
 * the trimming to the application frame, with {@code depth} frames of server below the code (a
 * servlet container under a framework is 100+). Uses the agent's own classes, so it runs with
 * {@code -javaagent} (which puts them on the class path).
 *
 * <p>{@link #insideHandler} is a client built inside a known request handler, 10 frames of
 * application code above the handler's method: the walk ends at the handler, whatever lies below.
 * {@link #capture} knows no handler (a client built elsewhere, or a handler whose method is no
 * frame of its class and whose class is a framework's): the walk reads every frame, to find the
 * outermost application frame.
 */
@State(Scope.Thread)
public class StackCaptureBenchmark {

    /** The agent's bound on captured frames (ClientSiteRecorder and ConnectSiteSampler use 256). */
    private static final int MAX_DEPTH = 256;
    /** Application frames between the handler's method and the client's construction. */
    private static final int ABOVE_HANDLER = 10;

    @Param({"20", "120"})
    public int depth;

    @Benchmark
    public Object capture() {
        return descend(depth);
    }

    @Benchmark
    public Object insideHandler() {
        return serve(depth);
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

    private static Object serve(int remaining) {
        if (remaining > 0) {
            return serve(remaining - 1);
        }
        return Handler.handle();
    }

    /** The request handler: the agent knows its class and method from the handler advice. */
    static final class Handler {
        static Object handle() {
            return Service.call(ABOVE_HANDLER);
        }
    }

    static final class Service {
        static Object call(int remaining) {
            if (remaining > 0) {
                return call(remaining - 1);
            }
            return StackSource.WALKER.trimmed(MAX_DEPTH, Handler.class.getName(), "handle");
        }
    }
}
