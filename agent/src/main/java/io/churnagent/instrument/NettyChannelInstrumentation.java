package io.churnagent.instrument;

import io.churnagent.bootstrap.ChurnBridge;
import io.churnagent.bootstrap.NettyBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.StackManipulation;
import net.bytebuddy.implementation.bytecode.assign.InstanceCheck;
import net.bytebuddy.implementation.bytecode.member.FieldAccess;
import net.bytebuddy.implementation.bytecode.member.MethodInvocation;
import net.bytebuddy.implementation.bytecode.member.MethodVariableAccess;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.SocketAddress;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

/**
 * Counts the connections of Netty's native transports (epoll on Linux, kqueue on BSD/macOS), whose
 * sockets are made with JNI and never pass {@code java.net.Socket} or {@code SocketChannel};
 * stateless. Matched by class name: an application without these transports pays one string
 * comparison per class load.
 *
 * <p>Netty 4.1's and 4.2's {@code AbstractEpollChannel} (and {@code AbstractKQueueChannel}, the same shape):
 * <ul>
 *   <li>{@code doConnect(remote, local)}: true when the connect completed at once (its
 *       {@code local}/{@code remote} fields are then set); false for a pending connect, not yet
 *       counted; a throw is a failed connect. Datagram channels connect through it too, so only
 *       {@code DuplexChannel}s (TCP and Unix stream sockets; the latter have no IP address and are
 *       ignored by the bridge) are counted;</li>
 *   <li>the inner {@code Abstract*Unsafe.doFinishConnect()}: true when a pending connect completed,
 *       a throw when it failed (refused, unreachable). Its addresses are read through the outer
 *       channel's public {@code localAddress()}/{@code remoteAddress()}, bytecode woven in here,
 *       because the outer's fields are private to it;</li>
 *   <li>{@code doClose()}: runs for every close; the connection's key leaves the open table once,
 *       so a repeated close, a channel that never connected or an accepted server child counts
 *       nothing.</li>
 * </ul>
 * Netty's NIO transport goes through {@code SocketChannelImpl} and is counted there, not here.
 */
public final class NettyChannelInstrumentation {

    /** The outer channels and their inner unsafes, epoll first. */
    static final String[][] TRANSPORTS = {
        {"io.netty.channel.epoll.AbstractEpollChannel", "io.netty.channel.epoll.AbstractEpollChannel$AbstractEpollUnsafe"},
        {"io.netty.channel.kqueue.AbstractKQueueChannel", "io.netty.channel.kqueue.AbstractKQueueChannel$AbstractKQueueUnsafe"},
    };

    private static final String ABSTRACT_CHANNEL = "io.netty.channel.AbstractChannel";
    private static final String DUPLEX_CHANNEL = "io.netty.channel.socket.DuplexChannel";

    private NettyChannelInstrumentation() {
    }

    /**
     * Adds the channel and unsafe weavings, for Netty's own names and for the copies that libraries
     * relocate (gRPC's {@code io.grpc.netty.shaded.io.netty...}, Couchbase's, any other); the advice is
     * made when a transport loads, once per relocation prefix.
     */
    static void addTo(Weavings weavings) {
        BuiltPerPrefix channel = new BuiltPerPrefix(NettyChannelInstrumentation::channelVisitor);
        for (String[] transport : TRANSPORTS) {
            String outer = transport[0];
            String unsafe = transport[1];
            weavings.relocatable(outer, type -> channel.get(BuiltPerPrefix.prefixOf(type.getName(), outer)))
                    .relocatable(unsafe, type -> unsafeVisitor(type, BuiltPerPrefix.prefixOf(type.getName(), unsafe)));
        }
    }

    /** The channel's visitor; {@code prefix} is the relocation prefix of its Netty copy ({@code ""} for Netty's own). */
    static AsmVisitorWrapper channelVisitor(String prefix) {
        TypeDescription duplex = NettyTypes.anInterface(prefix + DUPLEX_CHANNEL);
        Advice.WithCustomMapping mapping = Advice.withCustomMapping().bind(StreamChannel.class,
                new StackManipulation.Compound(MethodVariableAccess.loadThis(), InstanceCheck.of(duplex)),
                boolean.class);
        return new AsmVisitorWrapper.ForDeclaredMethods()
                .method(named("doConnect").and(takesArguments(SocketAddress.class, SocketAddress.class)),
                        mapping.to(ConnectAdvice.class))
                .method(named("doClose").and(takesNoArguments()), Advice.to(CloseAdvice.class));
    }

    /** The unsafe's {@code this$0} is its channel; its public address getters are read through it. */
    static AsmVisitorWrapper unsafeVisitor(TypeDescription unsafe, String prefix) {
        TypeDescription abstractChannel = NettyTypes.abstractClass(prefix + ABSTRACT_CHANNEL);
        FieldDescription outer = unsafe.getDeclaredFields().filter(named("this$0")).getOnly();
        StackManipulation loadOuter = new StackManipulation.Compound(MethodVariableAccess.loadThis(),
                FieldAccess.forField(outer).read());
        Advice.WithCustomMapping mapping = Advice.withCustomMapping()
                .bind(OuterChannel.class, loadOuter, Object.class)
                .bind(OuterLocal.class, new StackManipulation.Compound(loadOuter,
                        MethodInvocation.invoke(NettyTypes.getter(abstractChannel, "localAddress", SocketAddress.class))),
                        SocketAddress.class)
                .bind(OuterRemote.class, new StackManipulation.Compound(loadOuter,
                        MethodInvocation.invoke(NettyTypes.getter(abstractChannel, "remoteAddress", SocketAddress.class))),
                        SocketAddress.class);
        return new AsmVisitorWrapper.ForDeclaredMethods()
                .method(named("doFinishConnect").and(takesNoArguments()), mapping.to(FinishConnectAdvice.class));
    }

    /** {@code true} when the instrumented channel is a {@code DuplexChannel} (a stream socket). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface StreamChannel {
    }

    /** The unsafe's outer channel. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface OuterChannel {
    }

    /** The outer channel's {@code localAddress()}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface OuterLocal {
    }

    /** The outer channel's {@code remoteAddress()}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface OuterRemote {
    }

    /** {@code doConnect(remote, local)}: counts an immediate connect, or a failure. */
    public static final class ConnectAdvice {

        private ConnectAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@StreamChannel boolean stream,
                           @Advice.FieldValue("local") SocketAddress local,
                           @Advice.FieldValue("remote") SocketAddress remote,
                           @Advice.Argument(0) SocketAddress requested,
                           @Advice.Return boolean connected, @Advice.Thrown Throwable thrown) {
            if (stream) {
                ChurnBridge.channelConnectExit(local, remote, requested, connected, thrown);
            }
        }
    }

    /** {@code Unsafe.doFinishConnect()}: counts the completion of a pending connect, or its failure. */
    public static final class FinishConnectAdvice {

        private FinishConnectAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@OuterChannel Object channel, @OuterLocal SocketAddress local,
                           @OuterRemote SocketAddress remote,
                           @Advice.Return boolean connected, @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                NettyBridge.finishConnectFailed(channel, thrown);
            } else if (connected) {
                ChurnBridge.channelConnectExit(local, remote, null, true, null);
            }
        }
    }

    /** {@code doClose()}: the close of the channel, connected or not. */
    public static final class CloseAdvice {

        private CloseAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void onEnter(@Advice.FieldValue("local") SocketAddress local,
                            @Advice.FieldValue("remote") SocketAddress remote) {
            ChurnBridge.channelClose(local, remote);
        }
    }
}
