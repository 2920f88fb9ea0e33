package io.churnagent.churn;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@link StackSource} over {@link StackWalker}; stateless and thread-safe.
 *
 * <p>{@link #trimmed} reads only class names while it walks (method names only of the handler's
 * class), and resolves file and line for the site and handler frames at once and for the other kept
 * frames only when they are first asked for, instead of turning every frame into a
 * {@link StackTraceElement}; the benchmarks module's StackCaptureBenchmark compares the two.
 */
final class StackWalkerSource implements StackSource {

    private static final StackWalker WALKER = StackWalker.getInstance();

    @Override
    public List<StackTraceElement> capture(int maxDepth) {
        return WALKER.walk(frames -> frames.limit(maxDepth)
                .map(StackWalker.StackFrame::toStackTraceElement).collect(Collectors.toList()));
    }

    @Override
    public TrimmedStack trimmed(int maxDepth) {
        // walk here, not through the overload: a frame more would shift what maxDepth cuts off
        return WALKER.walk(frames -> trim(frames, maxDepth, null, null));
    }

    @Override
    public TrimmedStack trimmed(int maxDepth, String handlerType, String handlerMethod) {
        return WALKER.walk(frames -> trim(frames, maxDepth, handlerType, handlerMethod));
    }

    private static TrimmedStack trim(java.util.stream.Stream<StackWalker.StackFrame> frames, int maxDepth,
                                     String handlerType, String handlerMethod) {
        List<StackWalker.StackFrame> kept = new ArrayList<>(TrimmedStack.MAX_FRAMES);
        StackWalker.StackFrame site = null;
        StackWalker.StackFrame outermost = null;
        StackWalker.StackFrame handler = null;
        int region = 0; // frames from the site to the outermost application frame seen so far
        int sinceLast = 0;
        java.util.Iterator<StackWalker.StackFrame> it = frames.limit(maxDepth).iterator();
        while (it.hasNext()) {
            StackWalker.StackFrame f = it.next();
            String className = f.getClassName();
            boolean application = ApplicationFrames.isApplication(className);
            // the method name costs a lookup per frame: only asked for where the class matches
            if (application && className.equals(handlerType) && f.getMethodName().equals(handlerMethod)) {
                handler = f;
            }
            if (site == null && !application) {
                continue;
            }
            if (site == null) {
                site = f;
            }
            sinceLast++;
            if (kept.size() < TrimmedStack.MAX_FRAMES) {
                kept.add(f);
            }
            if (application) {
                outermost = f;
                region += sinceLast;
                sinceLast = 0;
            }
        }
        if (site == null) {
            return TrimmedStack.of(List.of());
        }
        // frames after the outermost application frame belong to the server: not part of the region
        while (kept.size() > region) {
            kept.remove(kept.size() - 1);
        }
        int omitted = region - kept.size();
        return TrimmedStack.trimmedLazily(describe(site), site.getClassName(),
                describe(handler != null ? handler : outermost), () -> {
                    List<String> described = new ArrayList<>(kept.size());
                    for (StackWalker.StackFrame f : kept) {
                        described.add(describe(f));
                    }
                    return described;
                }, omitted);
    }

    private static String describe(StackWalker.StackFrame f) {
        return ApplicationFrames.describe(f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber(),
                f.isNativeMethod());
    }
}
