package io.churnagent.instrument;

import io.churnagent.bootstrap.ChurnBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

/**
 * Instruments {@code sun.nio.ch.SocketChannelImpl}, the JDK's only {@code SocketChannel}: the three
 * ways a connection gets established and the one way it is closed.
 *
 * <ul>
 *   <li>{@code connect(SocketAddress)}: established when it returns true (blocking mode, or an
 *       immediate non-blocking connect); a false return is a pending connect, not yet counted;</li>
 *   <li>{@code finishConnect()}: established when it returns true for a channel that was pending on
 *       entry (later calls on a connected channel also return true and must not count); a throw is
 *       the failure of a non-blocking connect;</li>
 *   <li>{@code blockingConnect(SocketAddress, long)}: the socket adaptor's connect
 *       ({@code channel.socket().connect(...)});</li>
 *   <li>{@code implCloseSelectableChannel()}: runs once per channel whichever way it is closed;</li>
 *   <li>{@code setOption(SocketOption, Object)}: {@code SO_LINGER 0} on a connected channel (also through
 *       its socket adaptor's {@code setSoLinger}) makes its close abortive, counted apart.</li>
 * </ul>
 * The addresses are read from the {@code localAddress}/{@code remoteAddress} fields (same names on
 * JDK 17 and 25) because the public getters throw once the channel is marked closed.
 */
public final class SocketChannelInstrumentation {

    private SocketChannelInstrumentation() {
    }

    static final String TYPE = "sun.nio.ch.SocketChannelImpl";

    static AsmVisitorWrapper.ForDeclaredMethods visitor() {
        return new AsmVisitorWrapper.ForDeclaredMethods()
                .method(named("connect").and(takesArguments(SocketAddress.class)), Advice.to(ConnectAdvice.class))
                .method(named("finishConnect").and(takesNoArguments()), Advice.to(FinishConnectAdvice.class))
                .method(named("blockingConnect").and(takesArguments(SocketAddress.class, long.class)),
                        Advice.to(BlockingConnectAdvice.class))
                .method(named("implCloseSelectableChannel").and(takesNoArguments()), Advice.to(CloseAdvice.class))
                .method(named("setOption").and(takesArguments(java.net.SocketOption.class, Object.class))
                        .and(not(isBridge())), Advice.to(SetOptionAdvice.class));
    }

    /** {@code setOption(name, value)} that returned: {@code SO_LINGER 0} on a connected channel. */
    public static final class SetOptionAdvice {

        private SetOptionAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void onExit(@Advice.FieldValue("localAddress") SocketAddress local,
                           @Advice.FieldValue("remoteAddress") SocketAddress remote,
                           @Advice.Argument(0) Object name, @Advice.Argument(1) Object value) {
            ChurnBridge.channelLinger(local, remote, name, value);
        }
    }

    /** {@code connect(SocketAddress)}: counts when it returns true. */
    public static final class ConnectAdvice {

        private ConnectAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.FieldValue("localAddress") SocketAddress local,
                           @Advice.FieldValue("remoteAddress") SocketAddress remote,
                           @Advice.Argument(0) SocketAddress requested,
                           @Advice.Return boolean connected, @Advice.Thrown Throwable thrown) {
            ChurnBridge.channelConnectExit(local, remote, requested, connected, thrown);
        }
    }

    /** {@code finishConnect()}: counts the completion of a pending connect, or its failure. */
    public static final class FinishConnectAdvice {

        private FinishConnectAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static boolean onEnter(@Advice.This SocketChannel channel) {
            return channel.isConnectionPending();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.FieldValue("localAddress") SocketAddress local,
                           @Advice.FieldValue("remoteAddress") SocketAddress remote,
                           @Advice.Enter boolean wasPending,
                           @Advice.Return boolean connected, @Advice.Thrown Throwable thrown) {
            if (wasPending) {
                ChurnBridge.channelConnectExit(local, remote, null, connected, thrown);
            }
        }
    }

    /** {@code blockingConnect(SocketAddress, long)}: the socket adaptor's path. */
    public static final class BlockingConnectAdvice {

        private BlockingConnectAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.FieldValue("localAddress") SocketAddress local,
                           @Advice.FieldValue("remoteAddress") SocketAddress remote,
                           @Advice.Argument(0) SocketAddress requested, @Advice.Thrown Throwable thrown) {
            ChurnBridge.channelConnectExit(local, remote, requested, thrown == null, thrown);
        }
    }

    /** {@code implCloseSelectableChannel()}: the close of a connected channel. */
    public static final class CloseAdvice {

        private CloseAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void onEnter(@Advice.FieldValue("localAddress") SocketAddress local,
                            @Advice.FieldValue("remoteAddress") SocketAddress remote) {
            ChurnBridge.channelClose(local, remote);
        }
    }
}
