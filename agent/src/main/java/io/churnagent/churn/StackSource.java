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

    /** The real thing: a {@link StackWalker} that stops after {@code maxDepth} frames. */
    StackSource WALKER = new StackWalkerSource();
}
