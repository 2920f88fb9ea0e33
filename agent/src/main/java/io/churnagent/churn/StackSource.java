package io.churnagent.churn;

import java.util.List;
import java.util.stream.Collectors;

/** Captures the current thread's stack, innermost frame first; injectable so tests can supply stacks. */
public interface StackSource {

    /** At most {@code maxDepth} frames of the calling thread's stack. */
    List<StackTraceElement> capture(int maxDepth);

    /** The real thing: a {@link StackWalker} that stops after {@code maxDepth} frames. */
    StackSource WALKER = maxDepth -> StackWalker.getInstance().walk(frames -> frames.limit(maxDepth)
            .map(StackWalker.StackFrame::toStackTraceElement).collect(Collectors.toList()));
}
