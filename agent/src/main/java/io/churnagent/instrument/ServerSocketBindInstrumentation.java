package io.churnagent.instrument;

import io.churnagent.bootstrap.ChurnBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Instruments the two ways a server socket binds: {@code java.net.ServerSocket.bind(SocketAddress,
 * int)}, where every binding constructor ends, and {@code sun.nio.ch.ServerSocketChannelImpl.bind(
 * SocketAddress, int)}, where {@code ServerSocketChannel} and its socket adaptor (which overrides
 * {@code ServerSocket.bind}) end; each bind passes through exactly one of them.
 *
 * <p>Only a failure is reported. {@code SO_REUSEADDR} is read on entry: a failed
 * {@code ServerSocket.bind} closes the socket, after which it can no longer be read.
 */
public final class ServerSocketBindInstrumentation {

    private ServerSocketBindInstrumentation() {
    }

    static final String SERVER_SOCKET_TYPE = "java.net.ServerSocket";
    static final String CHANNEL_TYPE = "sun.nio.ch.ServerSocketChannelImpl";

    static AsmVisitorWrapper.ForDeclaredMethods serverSocketVisitor() {
        return new AsmVisitorWrapper.ForDeclaredMethods()
                .method(named("bind").and(takesArguments(SocketAddress.class, int.class)),
                        Advice.to(ServerSocketBindAdvice.class));
    }

    static AsmVisitorWrapper.ForDeclaredMethods channelVisitor() {
        return new AsmVisitorWrapper.ForDeclaredMethods()
                .method(named("bind").and(takesArguments(SocketAddress.class, int.class)),
                        Advice.to(ChannelBindAdvice.class));
    }

    /** {@code ServerSocket.bind(SocketAddress, int)}. */
    public static final class ServerSocketBindAdvice {

        private ServerSocketBindAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static boolean onEnter(@Advice.This ServerSocket socket) throws Exception {
            return socket.getReuseAddress();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.Argument(0) SocketAddress endpoint, @Advice.Enter boolean reuseAddress,
                           @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                ChurnBridge.bindExit(endpoint, thrown, reuseAddress);
            }
        }
    }

    /** {@code ServerSocketChannelImpl.bind(SocketAddress, int)}. */
    public static final class ChannelBindAdvice {

        private ChannelBindAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static boolean onEnter(@Advice.This ServerSocketChannel channel) throws Exception {
            return channel.getOption(StandardSocketOptions.SO_REUSEADDR);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.Argument(0) SocketAddress endpoint, @Advice.Enter boolean reuseAddress,
                           @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                ChurnBridge.bindExit(endpoint, thrown, reuseAddress);
            }
        }
    }
}
