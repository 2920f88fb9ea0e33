package io.churnagent.testapp;

import io.churnagent.churn.StackSource;
import io.churnagent.churn.TrimmedStack;

/**
 * Stacks for StackWalkerSourceTest: an application "server" loop {@code depth} frames deep under a
 * handler that builds a client. In a package of its own because the agent's packages are never
 * application frames. {@link #line} is the line of the last capture, taken on the same line.
 */
public final class FakeServer {

    public static int line;
    public static int handleLine;

    private FakeServer() {
    }

    /** {@code depth} frames of this class, then {@link Handler#handle}, which builds the client in {@link Handler#build}. */
    public static TrimmedStack serve(int depth, String handlerType, String handlerMethod) {
        if (depth > 0) {
            return serve(depth - 1, handlerType, handlerMethod);
        }
        return new Handler().handle(handlerType, handlerMethod);
    }

    /**
     * {@code depth} frames of this class, then a JDK frame ({@code Optional.map}) that calls
     * {@link Handler#doGet} as a server calls a servlet, with {@code handlerMethod} as the handler's method.
     */
    public static TrimmedStack serveThroughServer(int depth, String handlerMethod) {
        if (depth > 0) {
            return serveThroughServer(depth - 1, handlerMethod);
        }
        return java.util.Optional.of(new Handler(handlerMethod)).map(Handler::doGet).get();
    }

    /** A handler whose frames the capture names. */
    public static final class Handler {
        private final String method;

        Handler() {
            this(null);
        }

        Handler(String method) {
            this.method = method;
        }

        TrimmedStack handle(String handlerType, String handlerMethod) {
            handleLine = here(); return build(handlerType, handlerMethod);
        }

        TrimmedStack doGet() {
            handleLine = here(); return build(Handler.class.getName(), method);
        }

        private TrimmedStack build(String handlerType, String handlerMethod) {
            line = here(); return StackSource.WALKER.trimmed(256, handlerType, handlerMethod);
        }
    }

    private static int here() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).get().getLineNumber();
    }
}
