package io.churnagent.demo;

import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * Fetches the bodies of the backends for one incoming gateway request; implementations are
 * thread-safe, because the gateway calls them from all its worker threads at once.
 * Whether connections are reused between calls is exactly what distinguishes
 * {@link DemoOptions.Mode#CHURN} from {@link DemoOptions.Mode#POOLED}.
 */
interface BackendCalls extends AutoCloseable {

    /** Timeout for connecting and for each response, so a stuck backend cannot hold a worker forever. */
    int TIMEOUT_MILLIS = 5_000;

    /** GETs each URI in order and returns the bodies in the same order; fails on any non-200. */
    List<String> getAll(List<URI> uris) throws IOException, InterruptedException;

    /** Releases whatever is shared between calls; default: nothing. */
    @Override
    default void close() {
    }

    static BackendCalls create(DemoOptions.Mode mode, DemoOptions.ClientKind client) {
        boolean churn = mode == DemoOptions.Mode.CHURN;
        switch (client) {
            case JDK:
                return churn ? new JdkHttpClientCalls.NewClientPerRequest() : new JdkHttpClientCalls.SharedClient();
            case URLCONNECTION:
                return churn ? new UrlConnectionCalls.DisconnectEveryCall() : new UrlConnectionCalls.KeepAliveCache();
            case SOCKET:
                return churn ? new SocketCalls.NewSocketPerCall() : new SocketCalls.ReusedSockets();
            default:
                throw new IllegalArgumentException("unknown client " + client);
        }
    }
}
