package io.churnagent.churn;

import java.util.ArrayList;
import java.util.List;
import java.util.Spliterator;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@link StackSource} over {@link StackWalker}; stateless and thread-safe.
 *
 * <p>{@link #trimmed} reads only class names while it walks (method names only of the handler's
 * class), and resolves file and line for the site and handler frames at once and for the other kept
 * frames only when they are first asked for, instead of turning every frame into a
 * {@link StackTraceElement}; the benchmarks module's StackCaptureBenchmark compares the two.
 *
 * <p>{@link #trimmed} takes the walk's frames from the stream's own spliterator, with no stream
 * operation ({@code limit}, {@code iterator}): those load JDK classes at the first capture
 * ({@code SliceOps$1}, a {@code BooleanSupplier} lambda in {@code StreamSpliterators}), and in a hot
 * application a class that is a second implementation of an interface or an override of a stream
 * method makes the JIT throw away the application's compiled code that relied on there being one
 * (with {@code -XX:+LogCompilation}: {@code dependency_failed} on {@code BooleanSupplier} and on
 * {@code AbstractPipeline.opEvaluateParallelLazy}, then the JDK HTTP client's request path compiled
 * again). {@link #rehearse} runs the captures at start-up, so the JDK's stack-walking classes and
 * this class's lambdas load then; the kept frames are described by a named class, not a lambda, so
 * that the rehearsal can load it too (its walk has no application frame to keep).
 */
final class StackWalkerSource implements StackSource {

    private static final StackWalker WALKER = StackWalker.getInstance();

    @Override
    public List<StackTraceElement> capture(int maxDepth) {
        return WALKER.walk(frames -> frames.limit(maxDepth)
                .map(StackWalker.StackFrame::toStackTraceElement).collect(Collectors.toList()));
    }

    /**
     * Walks this thread's stack once and describes a frame, so that the classes a capture needs load
     * now (the agent calls it at start-up) rather than at the first capture in a hot application.
     */
    static void rehearse() {
        // the capture's own call sites (each lambda is spun at its first run), then a frame described
        StackSource.WALKER.trimmed(ClientSiteRecorder.MAX_DEPTH);
        StackSource.WALKER.trimmed(ClientSiteRecorder.MAX_DEPTH, "rehearsal.Handler", "handle");
        WALKER.walk(frames -> {
            FrameCursor cursor = new FrameCursor();
            return frames.spliterator().tryAdvance(cursor) ? new DescribedFrames(List.of(cursor.frame)).get() : null;
        });
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

    /**
     * One pass over the frames, reading each frame's class name only. The site is the first
     * application frame, unless an own frame ({@link ApplicationFrames#isOwn}) follows: then the
     * frames before it are an unlisted library's, and the site and the kept frames start again there.
     * Otherwise: method names are looked up for
     * frames of the handler's class, and the bridge check (which resolves line numbers, the costly
     * part of a frame) runs for handler matches and once at the end for the outermost application
     * frame, not for every pair of adjacent frames of one class: a 120-frame recursion in an
     * application class took 66 µs with a check per pair.
     *
     * <p>When the handler's method is found the walk ends with the run of its class's frames that
     * holds it: what lies below is the server's, and walking a servlet container's 100+ frames costs
     * about 0.2 µs each. (A handler that recurses into itself under another class's frame is named at
     * its innermost run.) It also ends where a run of the handler's class is called by a frame that is
     * not the application's and has the hooked method's name: that is the hooked method calling in, as
     * {@code HttpServlet.service} calls a servlet's {@code doGet} (the advice saw {@code service}, which
     * the servlet did not declare), and the run's outermost frame is the handler. (A library frame of
     * another name, such as a stream running a lambda of the handler's class, does not end it.) Otherwise the walk goes to {@code maxDepth}, as it must
     * to find the outermost application frame.
     */
    private static TrimmedStack trim(java.util.stream.Stream<StackWalker.StackFrame> frames, int maxDepth,
                                     String handlerType, String handlerMethod) {
        boolean handlerIsApplication = handlerType != null && ApplicationFrames.isApplication(handlerType);
        List<StackWalker.StackFrame> kept = new ArrayList<>(TrimmedStack.MAX_FRAMES);
        StackWalker.StackFrame site = null;
        boolean siteIsOwn = false; // the site is in the application's own packages (ApplicationFrames.isOwn)
        StackWalker.StackFrame outermost = null;
        StackWalker.StackFrame beforeOutermost = null; // the frame walked just before the outermost application frame
        StackWalker.StackFrame handler = null;
        int region = 0; // frames from the site to the outermost application frame seen so far
        int sinceLast = 0;
        StackWalker.StackFrame inner = null; // the frame walked before f
        String library = null; // the innermost library frame's class above the site
        Spliterator<StackWalker.StackFrame> source = frames.spliterator();
        FrameCursor cursor = new FrameCursor();
        for (int depth = 0; depth < maxDepth && source.tryAdvance(cursor); depth++) {
            StackWalker.StackFrame f = cursor.frame;
            StackWalker.StackFrame before = inner;
            inner = f;
            String className = f.getClassName();
            boolean ofHandlerClass = handlerIsApplication && className.equals(handlerType);
            if (handler != null && !ofHandlerClass) {
                break; // below the handler's run of frames: the server's
            }
            boolean application = ofHandlerClass || ApplicationFrames.isApplication(className);
            if (!application && before != null && handlerIsApplication && before.getClassName().equals(handlerType)
                    && f.getMethodName().equals(handlerMethod)) {
                break; // the hooked method called the handler's class here (HttpServlet.service calling doGet)
            }
            if (ofHandlerClass && f.getMethodName().equals(handlerMethod) && (before == null || !isBridgeTo(f, before))) {
                handler = f;
            }
            if (site == null && !application) {
                if (library == null && TrimmedStack.isLibrary(className)) {
                    library = className;
                }
                continue;
            }
            if (site == null) {
                site = f;
                siteIsOwn = ApplicationFrames.isOwn(className, handlerType);
            } else if (!siteIsOwn && application && ApplicationFrames.isOwn(className, handlerType)) {
                // the frames so far are an unlisted library's: the application's own first frame is the site
                site = f;
                siteIsOwn = true;
                kept.clear();
                region = 0;
                sinceLast = 0;
            }
            sinceLast++;
            if (kept.size() < TrimmedStack.MAX_FRAMES) {
                kept.add(f);
            }
            if (application) {
                beforeOutermost = before;
                outermost = f;
                region += sinceLast;
                sinceLast = 0;
            }
        }
        if (site == null) {
            return TrimmedStack.of(List.of());
        }
        if (beforeOutermost != null && isBridgeTo(outermost, beforeOutermost)) {
            outermost = beforeOutermost; // a bridge is no handler: name the method it calls, and drop its frame
            region--;
        }
        // frames after the outermost application frame belong to the server: not part of the region
        while (kept.size() > region) {
            kept.remove(kept.size() - 1);
        }
        int omitted = region - kept.size();
        return TrimmedStack.trimmedLazily(describe(site), site.getClassName(),
                describe(handler != null ? handler : outermost), new DescribedFrames(kept), omitted).withLibrary(library);
    }

    /** Receives one frame at a time from the walk's spliterator. */
    private static final class FrameCursor implements Consumer<StackWalker.StackFrame> {
        StackWalker.StackFrame frame;

        @Override
        public void accept(StackWalker.StackFrame f) {
            frame = f;
        }
    }

    /** The kept frames, described (file and line resolved) when first asked for. */
    private static final class DescribedFrames implements Supplier<List<String>> {
        private final List<StackWalker.StackFrame> kept;

        DescribedFrames(List<StackWalker.StackFrame> kept) {
            this.kept = kept;
        }

        @Override
        public List<String> get() {
            List<String> described = new ArrayList<>(kept.size());
            for (StackWalker.StackFrame f : kept) {
                described.add(describe(f));
            }
            return described;
        }
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
