package io.churnagent.churn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A captured stack reduced to what a person needs: the call site (the first frame of the
 * application's own packages, else the first application frame; see {@link ApplicationFrames}), the
 * handler frame (the known handler's method, else the outermost application frame: below it sit only
 * the server's dispatch frames) and the frames in between; immutable.
 *
 * <p>Agent and JDK frames above the site are dropped, and so are the server and thread-pool frames
 * below the handler. At most {@link #MAX_FRAMES} frames are kept; the rest are counted.
 *
 * <p>A stack from {@link StackWalkerSource} resolves the file and line of its kept frames only when
 * {@link #frames()} is first asked for (once, thread-safely): call sites are counted by
 * {@link #site()}, and the frames of a site already known are never looked at, so most captures
 * resolve two frames instead of a dozen.
 */
public final class TrimmedStack {

    /** Frames kept for display. */
    public static final int MAX_FRAMES = 12;

    private final String site;
    private final String siteClass;
    private final String handler;
    private List<String> frames; // null until resolved from unresolved
    private java.util.function.Supplier<List<String>> unresolved;
    private final int omitted;
    /** The innermost frame's class above the site that is neither the JDK's nor the agent's: the library that connected. */
    private String library;

    private TrimmedStack(String site, String siteClass, String handler, List<String> frames, int omitted) {
        this.site = site;
        this.siteClass = siteClass;
        this.handler = handler;
        this.frames = frames;
        this.omitted = omitted;
    }

    private TrimmedStack(String site, String siteClass, String handler,
                         java.util.function.Supplier<List<String>> unresolved, int omitted) {
        this.site = site;
        this.siteClass = siteClass;
        this.handler = handler;
        this.unresolved = unresolved;
        this.omitted = omitted;
    }

    /** Trims {@code stack}, innermost frame first (as StackWalker and Throwable give them). */
    public static TrimmedStack of(List<StackTraceElement> stack) {
        return of(stack, null, null);
    }

    /**
     * Trims {@code stack}; the handler frame is the innermost frame of {@code handlerType}'s method
     * {@code handlerMethod} if there is one (both may be null), or the outermost of them in the run of
     * that class's frames which holds it (the handler may call itself); frames below that run are the
     * server's. A run of the handler's class called by a frame that is not the application's and has the
     * hooked method's name ends the stack too (a servlet's {@code doGet} under {@code HttpServlet.service},
     * when the handler seen was {@code service}); then, as without a handler, the handler frame is the
     * outermost application frame.
     */
    public static TrimmedStack of(List<StackTraceElement> stack, String handlerType, String handlerMethod) {
        int handlerAt = -1;
        int end = stack.size();
        boolean handlerIsApplication = handlerType != null && ApplicationFrames.isApplication(handlerType);
        for (int i = 0; i < stack.size(); i++) {
            String className = stack.get(i).getClassName();
            boolean ofHandlerClass = handlerIsApplication && className.equals(handlerType);
            if (handlerAt >= 0 && !ofHandlerClass) {
                end = i;
                break;
            }
            if (i > 0 && !ofHandlerClass && !ApplicationFrames.isApplication(className) && handlerIsApplication
                    && stack.get(i - 1).getClassName().equals(handlerType)
                    && stack.get(i).getMethodName().equals(handlerMethod)) {
                end = i; // the hooked method called the handler's class here: its outermost frame is the handler
                break;
            }
            if (isHandler(className, stack.get(i).getMethodName(), handlerType, handlerMethod)) {
                handlerAt = i;
            }
        }
        int first = -1;
        int firstOwn = -1;
        int last = -1;
        for (int i = 0; i < end; i++) {
            String className = stack.get(i).getClassName();
            if (ApplicationFrames.isApplication(className)) {
                if (first < 0) {
                    first = i;
                }
                if (firstOwn < 0 && ApplicationFrames.isOwn(className, handlerType)) {
                    firstOwn = i;
                }
                last = i;
            }
        }
        if (firstOwn >= 0) {
            first = firstOwn; // frames above the application's own first one are an unlisted library's
        }
        if (first < 0) {
            return new TrimmedStack(null, null, null, Collections.emptyList(), 0);
        }
        List<String> frames = new ArrayList<>(Math.min(MAX_FRAMES, last - first + 1));
        for (int i = first; i <= last && frames.size() < MAX_FRAMES; i++) {
            frames.add(ApplicationFrames.describe(stack.get(i)));
        }
        int omitted = (last - first + 1) - frames.size();
        StackTraceElement siteFrame = stack.get(first);
        TrimmedStack trimmed = new TrimmedStack(ApplicationFrames.describe(siteFrame), siteFrame.getClassName(),
                ApplicationFrames.describe(stack.get(handlerAt >= 0 ? handlerAt : last)),
                Collections.unmodifiableList(frames), omitted);
        for (int i = 0; i < first && trimmed.library == null; i++) {
            if (isLibrary(stack.get(i).getClassName())) {
                trimmed.library = stack.get(i).getClassName();
            }
        }
        return trimmed;
    }

    /** Whether a frame above the site belongs to a library: not the JDK's, not the agent's, not the application's. */
    static boolean isLibrary(String className) {
        return !className.startsWith("java.") && !className.startsWith("javax.") && !className.startsWith("jdk.")
                && !className.startsWith("sun.") && !className.startsWith("com.sun.")
                && !className.startsWith("io.churnagent.") && !ApplicationFrames.isApplication(className);
    }

    /** This stack with {@link #library()} set (for its source, before it is shared). */
    TrimmedStack withLibrary(String libraryClass) {
        this.library = libraryClass;
        return this;
    }

    /**
     * The class of the innermost library frame above the site (for a sampled connect, the library that
     * connected: {@code okhttp3.internal...}), or null when the JDK was called directly.
     */
    public String library() {
        return library;
    }

    /** Whether a frame is the named handler method (an application class, so never a server's frame). */
    static boolean isHandler(String className, String method, String handlerType, String handlerMethod) {
        return handlerType != null && className.equals(handlerType) && method.equals(handlerMethod)
                && ApplicationFrames.isApplication(className);
    }

    /** A stack already trimmed by its source ({@link StackWalkerSource}). */
    static TrimmedStack trimmed(String site, String siteClass, String handler, List<String> frames, int omitted) {
        return new TrimmedStack(site, siteClass, handler, Collections.unmodifiableList(frames), omitted);
    }

    /** A stack trimmed by its source, whose kept frames are described by {@code frames} when first needed. */
    static TrimmedStack trimmedLazily(String site, String siteClass, String handler,
                                      java.util.function.Supplier<List<String>> frames, int omitted) {
        return new TrimmedStack(site, siteClass, handler, frames, omitted);
    }

    /** {@code Class.method(File.java:LINE)} of the first application frame, or null if the stack has none. */
    public String site() {
        return site;
    }

    /** The class of the site frame, or null. */
    public String siteClass() {
        return siteClass;
    }

    /** The outermost application frame, or null: in a request handler, the handler method itself. */
    public String handlerFrame() {
        return handler;
    }

    /** The application region of the stack, site first, at most {@link #MAX_FRAMES}. */
    public synchronized List<String> frames() {
        if (frames == null) {
            frames = Collections.unmodifiableList(new ArrayList<>(unresolved.get()));
            unresolved = null;
        }
        return frames;
    }

    /** Frames of the application region not kept. */
    public int omitted() {
        return omitted;
    }
}
