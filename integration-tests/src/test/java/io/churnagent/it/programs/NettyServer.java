package io.churnagent.it.programs;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Two Netty servers whose inbound handlers call a backend with a Netty client (epoll transport):
 * an HTTP server on epoll ({@code HttpServerCodec} and {@code HttpObjectAggregator}, Netty's own
 * handlers, before the user's {@code SimpleChannelInboundHandler.channelRead0}) and a raw server on
 * NIO (the user's {@code channelRead}). In {@code per-request} mode each request builds a new
 * {@code Bootstrap}; in {@code shared} mode one built at start-up connects per request (the raw
 * server through a {@code clone()} of it, which shares its event loops, as Netty's
 * {@code SimpleChannelPool} does for every connection it adds).
 *
 * <p>Arguments: {@code mode requests}. Prints {@code backend <name> <port>}, then {@code ok <name> <n>}
 * for the requests that succeeded. The test finds the expected call sites by the {@code SITE:} and
 * {@code HANDLER:} markers in this file, so keep each on its line.
 */
public final class NettyServer {

    static boolean shared;
    static EventLoopGroup clients;
    static Bootstrap sharedBootstrap;
    static InetSocketAddress httpBackend;
    static InetSocketAddress rawBackend;

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        shared = args[0].equals("shared");
        int requests = Integer.parseInt(args[1]);
        if (!Epoll.isAvailable()) {
            System.out.println("epoll not available: " + Epoll.unavailabilityCause());
            System.exit(2);
        }
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        httpBackend = DrainingBackend.start(loopback);
        rawBackend = DrainingBackend.start(loopback);
        System.out.println("backend http " + httpBackend.getPort());
        System.out.println("backend raw " + rawBackend.getPort());

        clients = new EpollEventLoopGroup(1);
        sharedBootstrap = new Bootstrap().group(clients).channel(EpollSocketChannel.class)
                .handler(new NettyConnections.Idle());
        EventLoopGroup epollServer = new EpollEventLoopGroup(1);
        EventLoopGroup nioServer = new NioEventLoopGroup(1);
        try {
            Channel http = new ServerBootstrap().group(epollServer).channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new HttpFront());
                        }
                    }).bind(loopback, 0).sync().channel();
            Channel raw = new ServerBootstrap().group(nioServer).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new RawFront());
                        }
                    }).bind(loopback, 0).sync().channel();
            int httpPort = ((InetSocketAddress) http.localAddress()).getPort();
            int rawPort = ((InetSocketAddress) raw.localAddress()).getPort();

            int ok = 0;
            for (int i = 0; i < requests; i++) {
                HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + httpPort + "/").openConnection();
                try (InputStream in = c.getInputStream()) {
                    if (c.getResponseCode() == 200 && new String(in.readAllBytes(), StandardCharsets.UTF_8).equals("ok")) {
                        ok++;
                    }
                }
            }
            System.out.println("ok http " + ok);
            ok = 0;
            for (int i = 0; i < requests; i++) {
                try (Socket s = new Socket(loopback, rawPort)) {
                    OutputStream out = s.getOutputStream();
                    out.write('?');
                    out.flush();
                    if (s.getInputStream().read() == '!') {
                        ok++;
                    }
                }
            }
            System.out.println("ok raw " + ok);
            http.close().sync();
            raw.close().sync();
        } finally {
            epollServer.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
            nioServer.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
            clients.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
        Thread.sleep(1500); // two evaluation intervals, so that the warnings are out before exit
        BridgeFaults.print();
    }

    /** The user's HTTP handler, behind Netty's codec and aggregator. */
    static final class HttpFront extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            callHttpBackend(); // HANDLER:http
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("ok", StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
            ctx.writeAndFlush(response);
        }
    }

    /** The user's raw handler: one byte in, a backend call, one byte out. */
    static final class RawFront extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            ((ByteBuf) msg).release();
            callRawBackend(); // HANDLER:raw
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'!'}));
        }
    }

    static void callHttpBackend() throws Exception {
        Bootstrap b = shared ? sharedBootstrap : new Bootstrap(); // SITE:http
        call(b, httpBackend);
    }

    static void callRawBackend() throws Exception {
        Bootstrap b = shared ? sharedBootstrap.clone() : new Bootstrap(); // SITE:raw
        call(b, rawBackend);
    }

    private static void call(Bootstrap b, InetSocketAddress backend) throws Exception {
        if (!shared) {
            b.group(clients).channel(EpollSocketChannel.class).handler(new NettyConnections.Idle());
        }
        Channel ch = b.connect(backend).sync().channel();
        ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1})).sync();
        ch.close().sync();
    }
}
