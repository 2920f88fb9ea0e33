package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpServer;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A gateway whose JDK HttpServer handler makes one unary gRPC call per request to a gRPC server in
 * the same program, over loopback, with grpc-netty-shaded (gRPC's default transport: Netty relocated
 * under {@code io.grpc.netty.shaded}, on its native epoll transport here). {@code per-request} builds
 * a channel per request and shuts it down, the anti-pattern; {@code shared} uses one channel.
 *
 * <p>Arguments: {@code mode requests}. Prints {@code port grpc <port>}, {@code epoll <true|false>}
 * (the program fails without epoll: the test is about the native transport) and {@code ok <n>}. The
 * test finds the expected site by the {@code SITE:} marker, so keep it on its line.
 */
public final class GrpcChannels {

    static final MethodDescriptor<String, String> ECHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("churn.Echo", "Say"))
            .setRequestMarshaller(new Utf8())
            .setResponseMarshaller(new Utf8())
            .build();

    private GrpcChannels() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int requests = Integer.parseInt(args[1]);
        AgentReady.await();
        boolean epoll = (Boolean) Class.forName("io.grpc.netty.shaded.io.netty.channel.epoll.Epoll")
                .getMethod("isAvailable").invoke(null);
        System.out.println("epoll " + epoll);
        if (!epoll) {
            System.exit(3);
        }
        Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerServiceDefinition.builder("churn.Echo")
                        .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                            response.onNext("echo " + request);
                            response.onCompleted();
                        }))
                        .build())
                .build().start();
        int port = server.getPort();
        System.out.println("port grpc " + port);
        ManagedChannel shared = mode.equals("shared") ? channel(port) : null;
        HttpServer gateway = Gateway.serve(() -> shared != null ? say(shared) : callPerRequest(port));
        Gateway.drive(gateway, requests);
        gateway.stop(0);
        if (shared != null) {
            shared.shutdown().awaitTermination(5, TimeUnit.SECONDS);
        }
        server.shutdown().awaitTermination(5, TimeUnit.SECONDS);
        BridgeFaults.print();
    }

    /** The anti-pattern: a channel per request, shut down after one call. */
    static String callPerRequest(int port) throws InterruptedException {
        ManagedChannel channel = channel(port);
        try {
            return say(channel);
        } finally {
            channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static ManagedChannel channel(int port) {
        return Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build(); // SITE:grpc
    }

    static String say(ManagedChannel channel) {
        return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, "hello");
    }

    /** Strings as UTF-8: the call needs no protobuf. */
    static final class Utf8 implements MethodDescriptor.Marshaller<String> {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
