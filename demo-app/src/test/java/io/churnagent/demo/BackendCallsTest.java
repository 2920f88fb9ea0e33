package io.churnagent.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Checks each mode and client against two servers that record which client connections reach them. */
class BackendCallsTest {

    private static final int ROUNDS = 4;
    private static final Set<String> connectionsSeen = Collections.synchronizedSet(new HashSet<>());
    private static HttpServer first;
    private static HttpServer second;

    @BeforeAll
    static void startServers() throws Exception {
        first = server("first");
        second = server("second");
    }

    private static HttpServer server(String name) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = ("{\"from\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            connectionsSeen.add(name + " <- " + exchange.getRemoteAddress().getPort());
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    @AfterAll
    static void stopServers() {
        first.stop(0);
        second.stop(0);
    }

    @BeforeEach
    void forgetConnections() {
        connectionsSeen.clear();
    }

    @ParameterizedTest
    @CsvSource({"JDK", "URLCONNECTION", "SOCKET"})
    void churnOpensANewConnectionForEveryBackendCall(DemoOptions.ClientKind client) throws Exception {
        runRounds(DemoOptions.Mode.CHURN, client);
        assertEquals(2 * ROUNDS, connectionsSeen.size(), connectionsSeen.toString());
    }

    @ParameterizedTest
    @CsvSource({"JDK", "URLCONNECTION", "SOCKET"})
    void pooledReusesOneConnectionPerBackend(DemoOptions.ClientKind client) throws Exception {
        runRounds(DemoOptions.Mode.POOLED, client);
        assertEquals(2, connectionsSeen.size(), connectionsSeen.toString());
    }

    private static void runRounds(DemoOptions.Mode mode, DemoOptions.ClientKind client) throws Exception {
        List<URI> uris = Arrays.asList(uri(first, "/inventory"), uri(second, "/pricing"));
        List<String> expected = Arrays.asList("{\"from\":\"first\"}", "{\"from\":\"second\"}");
        try (BackendCalls calls = BackendCalls.create(mode, client)) {
            for (int round = 0; round < ROUNDS; round++) {
                assertEquals(expected, calls.getAll(uris), mode + "/" + client + " round " + round);
            }
        }
    }

    private static URI uri(HttpServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }
}
