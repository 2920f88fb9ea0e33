package io.churnagent.instrument;

import io.churnagent.bootstrap.ChurnBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

/**
 * Sees the failures that say the process hit a wall other than ports: creating a socket
 * ({@code sun.nio.ch.Net.socket}/{@code serverSocket}, where {@code Socket}, {@code SocketChannel} and
 * {@code ServerSocketChannel} get their descriptor, JDK 17 and 25), accepting
 * ({@code ServerSocketChannelImpl.accept()}, {@code ServerSocket.accept()}; not {@code NioSocketImpl}: woven, it
 * had a lambda class of its own loaded late in a hot application, which LateClassLoadsIT forbids), opening a
 * selector ({@code EPollSelectorProvider.openSelector()}) and starting a thread ({@code Thread.start()}).
 *
 * <p>The advice runs on exit and does nothing unless the method threw, so these calls pay one null
 * check; the bridge decides by the message whether it was EMFILE or a thread limit.
 */
public final class ResourceFailureInstrumentation {

    private ResourceFailureInstrumentation() {
    }

    static final String NET_TYPE = "sun.nio.ch.Net";
    static final String SERVER_CHANNEL_TYPE = "sun.nio.ch.ServerSocketChannelImpl";
    static final String SERVER_SOCKET_TYPE = "java.net.ServerSocket";
    static final String SELECTOR_PROVIDER_TYPE = "sun.nio.ch.EPollSelectorProvider";
    static final String THREAD_TYPE = "java.lang.Thread";

    static void addTo(Weavings weavings) {
        AsmVisitorWrapper net = new AsmVisitorWrapper.ForDeclaredMethods()
                .method(named("socket").or(named("serverSocket")), Advice.to(SocketAdvice.class));
        AsmVisitorWrapper accept = new AsmVisitorWrapper.ForDeclaredMethods()
                .method(named("accept").and(takesNoArguments()), Advice.to(AcceptAdvice.class));
        AsmVisitorWrapper acceptSocket = new AsmVisitorWrapper.ForDeclaredMethods()
                .method(named("accept").and(takesNoArguments()), Advice.to(AcceptAdvice.class));
        AsmVisitorWrapper selector = new AsmVisitorWrapper.ForDeclaredMethods()
                .method(named("openSelector").and(takesNoArguments()), Advice.to(SelectorAdvice.class));
        AsmVisitorWrapper thread = new AsmVisitorWrapper.ForDeclaredMethods()
                .method(named("start").and(takesNoArguments()), Advice.to(ThreadStartAdvice.class));
        weavings.name(NET_TYPE, () -> net)
                .name(SERVER_CHANNEL_TYPE, () -> accept)
                .name(SERVER_SOCKET_TYPE, () -> acceptSocket)
                .name(SELECTOR_PROVIDER_TYPE, () -> selector)
                .name(THREAD_TYPE, () -> thread);
    }

    /** {@code Net.socket(...)}, {@code Net.serverSocket(...)}. */
    public static final class SocketAdvice {
        private SocketAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                ChurnBridge.resourceExit("socket", thrown);
            }
        }
    }

    /** {@code accept()} of a server channel or a server socket. */
    public static final class AcceptAdvice {
        private AcceptAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                ChurnBridge.resourceExit("accept", thrown);
            }
        }
    }

    /** {@code EPollSelectorProvider.openSelector()}. */
    public static final class SelectorAdvice {
        private SelectorAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                ChurnBridge.resourceExit("selector", thrown);
            }
        }
    }

    /** {@code Thread.start()}. */
    public static final class ThreadStartAdvice {
        private ThreadStartAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                ChurnBridge.resourceExit("thread", thrown);
            }
        }
    }
}
