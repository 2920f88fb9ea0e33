package io.churnagent.instrument;

import io.churnagent.bootstrap.ChurnBridge;
import net.bytebuddy.asm.Advice;

import java.net.Socket;
import java.net.SocketAddress;

import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

/**
 * Instruments {@code java.net.Socket}: {@code connect(SocketAddress, int)}, where every connecting
 * constructor and {@code connect(SocketAddress)} end, {@code close()}, and the two ways to set
 * {@code SO_LINGER} ({@code setSoLinger}, {@code setOption}), so that an abortive close is counted apart.
 *
 * <p>Only {@code java.net.Socket}'s own methods are woven. The socket adaptor of a
 * {@code SocketChannel} overrides both and is seen through {@link SocketChannelInstrumentation}
 * instead; TLS sockets call {@code super.connect}, so they are seen here once.
 */
public final class SocketInstrumentation {

    private SocketInstrumentation() {
    }

    static final String TYPE = "java.net.Socket";


    static net.bytebuddy.asm.AsmVisitorWrapper.ForDeclaredMethods visitor() {
        return new net.bytebuddy.asm.AsmVisitorWrapper.ForDeclaredMethods()
                .method(named("connect").and(isPublic()).and(takesArguments(SocketAddress.class, int.class)),
                        Advice.to(ConnectAdvice.class))
                .method(named("close").and(takesNoArguments()), Advice.to(CloseAdvice.class))
                .method(named("setSoLinger").and(takesArguments(boolean.class, int.class)),
                        Advice.to(SetSoLingerAdvice.class))
                .method(named("setOption").and(takesArguments(java.net.SocketOption.class, Object.class))
                        .and(not(isBridge())), Advice.to(SetOptionAdvice.class));
    }

    /** {@code setSoLinger(on, linger)} that returned: {@code SO_LINGER 0} makes the close abortive. */
    public static final class SetSoLingerAdvice {

        private SetSoLingerAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void onExit(@Advice.This Socket socket, @Advice.Argument(0) boolean on, @Advice.Argument(1) int linger) {
            if (on && linger == 0) {
                ChurnBridge.socketLinger(socket, 0);
            }
        }
    }

    /** {@code setOption(SO_LINGER, 0)} that returned: the same as {@link SetSoLingerAdvice}. */
    public static final class SetOptionAdvice {

        private SetOptionAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void onExit(@Advice.This Socket socket, @Advice.Argument(0) Object name, @Advice.Argument(1) Object value) {
            ChurnBridge.socketLinger(socket, ChurnBridge.lingerOf(name, value));
        }
    }

    /** Reports the outcome of a connect; skips calls on sockets already connected or closed (API misuse). */
    public static final class ConnectAdvice {

        private ConnectAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static boolean onEnter(@Advice.This Socket socket) {
            return !socket.isConnected() && !socket.isClosed();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.This Socket socket, @Advice.Argument(0) SocketAddress endpoint,
                           @Advice.Enter boolean attempted, @Advice.Thrown Throwable thrown) {
            if (attempted) {
                ChurnBridge.socketConnectExit(socket, endpoint, thrown);
            }
        }
    }

    /** Reports a close before it happens, while the socket still knows its ports. */
    public static final class CloseAdvice {

        private CloseAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void onEnter(@Advice.This Socket socket) {
            ChurnBridge.socketClose(socket);
        }
    }
}
