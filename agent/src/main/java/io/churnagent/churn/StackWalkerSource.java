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
        StackWalker.StackFrame inner = null; // the frame walked before f
        StackWalker.StackFrame bridged = null; // what the outermost application frame bridges to, if it is a bridge
        java.util.Iterator<StackWalker.StackFrame> it = frames.limit(maxDepth).iterator();
        while (it.hasNext()) {
            StackWalker.StackFrame f = it.next();
            StackWalker.StackFrame before = inner;
            inner = f;
            String className = f.getClassName();
            boolean application = ApplicationFrames.isApplication(className);
            boolean bridge = application && before != null && isBridgeTo(f, before);
            // the method name costs a lookup per frame: only asked for where the class matches
            if (application && !bridge && className.equals(handlerType) && f.getMethodName().equals(handlerMethod)) {
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
                bridged = bridge ? before : null;
                outermost = f;
                region += sinceLast;
                sinceLast = 0;
            }
        }
        if (site == null) {
            return TrimmedStack.of(List.of());
        }
        if (bridged != null) { // a bridge is no handler: name the method it calls, and drop its frame
            outermost = bridged;
            region--;
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

    /**
     * Whether {@code outer} looks like a compiler-made bridge calling {@code inner}: a generic
     * override such as Netty's {@code channelRead0(ctx, FullHttpRequest)} is reached through a bridge
     * {@code channelRead0(ctx, Object)} of the same class, whose line is the class declaration's; as
     * the outermost application frame (or a match of the handler's name) it would name that line
     * instead of the handler's. So: same class and name, and a line above the inner frame's. The
     * descriptor would tell a bridge for sure, but JDK 25 gives it only to walkers that retain class
     * references. A recursion calls from one line and is kept; an overload calling one declared below
     * it looks the same, and the handler frame then names the inner overload, in the same class.
     * Method names are looked up only for adjacent frames of one class.
     */
    static boolean isBridgeTo(StackWalker.StackFrame outer, StackWalker.StackFrame inner) {
        if (!outer.getClassName().equals(inner.getClassName())) {
            return false;
        }
        int line = outer.getLineNumber();
        return line >= 0 && line < inner.getLineNumber() && outer.getMethodName().equals(inner.getMethodName());
    }

    private static String describe(StackWalker.StackFrame f) {
        return ApplicationFrames.describe(f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber(),
                f.isNativeMethod());
    }
}
