package io.churnagent.churn;

import java.util.List;

/** Captures the current thread's stack, innermost frame first; injectable so tests can supply stacks. */
public interface StackSource {

    /** At most {@code maxDepth} frames of the calling thread's stack. */
    List<StackTraceElement> capture(int maxDepth);

    /** The calling thread's stack (at most {@code maxDepth} frames deep), trimmed to the application's part. */
    default TrimmedStack trimmed(int maxDepth) {
        return TrimmedStack.of(capture(maxDepth));
    }

    /**
     * As {@link #trimmed(int)}, but the handler frame is the frame of {@code handlerType}'s method
     * {@code handlerMethod} when the stack has one (see {@link TrimmedStack#of(List, String, String)}),
     * and the stack ends there: a handler listed in {@code handlers=} often runs under the
     * application's own loop, whose frame is further out, and a servlet container's frames below a
     * handler are a hundred frames a walk need not read.
     */
    default TrimmedStack trimmed(int maxDepth, String handlerType, String handlerMethod) {
        return TrimmedStack.of(capture(maxDepth), handlerType, handlerMethod);
    }

    /**
     * Runs one capture through {@link #WALKER} and describes a frame, so that the JDK classes a capture
     * needs load when the agent starts, not at the first capture in a hot application.
     */
    static void rehearse() {
        StackWalkerSource.rehearse();
    }

    /** The real thing: a {@link StackWalker} that stops after {@code maxDepth} frames. */
    StackSource WALKER = new StackWalkerSource();
}
