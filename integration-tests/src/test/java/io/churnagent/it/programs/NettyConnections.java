package io.churnagent.it.programs;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Opens and closes exactly {@code N} connections with a Netty client over each transport (the native
 * epoll one, whose sockets never pass {@code java.net}, and NIO), each to its own loopback server,
 * and {@code N} epoll connects to a port nobody listens on; prints {@code path=<name> port=<port>}
 * per destination. Each channel is closed twice (a second close is not a second connection), and an
 * epoll UDP channel connects to a destination too (a datagram "connect" is no TCP connection).
 * Fails (exit 2) when the epoll transport is not available: the test must not pass without it.
 */
public final class NettyConnections {

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        int n = Integer.parseInt(args[0]);
        if (!Epoll.isAvailable()) {
            System.out.println("epoll not available: " + Epoll.unavailabilityCause());
            System.exit(2);
        }
        System.out.println("netty " + io.netty.util.Version.identify().get("netty-transport").artifactVersion());
        InetAddress loopback = InetAddress.getByName("127.0.0.1");

        EventLoopGroup epoll = new EpollEventLoopGroup(1);
        EventLoopGroup nio = new NioEventLoopGroup(1);
        try {
            InetSocketAddress epollServer = DrainingBackend.start(loopback);
            print("epoll", epollServer);
            connectAndClose(new Bootstrap().group(epoll).channel(EpollSocketChannel.class), epollServer, n);

            InetSocketAddress nioServer = DrainingBackend.start(loopback);
            print("nio", nioServer);
            connectAndClose(new Bootstrap().group(nio).channel(NioSocketChannel.class), nioServer, n);

            InetSocketAddress closed = closedPort(loopback);
            print("epoll_refused", closed);
            Bootstrap refused = new Bootstrap().group(epoll).channel(EpollSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000).handler(new Idle());
            int failed = 0;
            for (int i = 0; i < n; i++) {
                ChannelFuture f = refused.connect(closed).await();
                if (!f.isSuccess()) {
                    failed++;
                }
                f.channel().close().sync();
            }
            System.out.println("refused " + failed);

            InetSocketAddress udp = DrainingBackend.start(loopback);
            print("epoll_udp", udp);
            Channel datagram = new Bootstrap().group(epoll).channel(EpollDatagramChannel.class)
                    .handler(new Idle()).connect(udp).sync().channel();
            datagram.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1})).sync();
            datagram.close().sync();
        } finally {
            epoll.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
            nio.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
        BridgeFaults.print();
        System.out.println("done");
    }

    /** A handler that does nothing, shareable by every channel of a bootstrap. */
    @ChannelHandler.Sharable
    static final class Idle extends ChannelInboundHandlerAdapter {
    }

    private static void connectAndClose(Bootstrap bootstrap, InetSocketAddress server, int n) throws Exception {
        bootstrap.handler(new Idle());
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Channel ch = bootstrap.connect(server).sync().channel();
            ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1})).sync();
            ch.close().sync();
            ch.close().sync();
        }
        System.out.println("elapsed " + (bootstrap.config().channelFactory().toString()) + " n=" + n
                + " us_per_connection=" + (System.nanoTime() - start) / 1000 / n);
    }

    private static InetSocketAddress closedPort(InetAddress loopback) throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, loopback)) {
            return (InetSocketAddress) s.getLocalSocketAddress();
        }
    }

    private static void print(String path, InetSocketAddress address) {
        System.out.println("path=" + path + " port=" + address.getPort());
    }
}
