package io.churnagent.churn;

/**
 * Counts live threads by the names HTTP/RPC client libraries give them, so that threads left behind
 * by clients built per request show by family; stateless, thread-safe. One family per row: the JDK
 * {@code HttpClient} (its {@code HttpClient-N-SelectorManager}, one per client), OkHttp, Netty event
 * loops, Lettuce, Apache HttpClient's async I/O reactors, gRPC.
 */
public final class ClientThreadFamilies {

    /** Family labels, in the order of {@link #count}'s result. */
    public static final String[] NAMES = {"jdk_httpclient", "okhttp", "netty", "lettuce", "apache_async", "grpc"};

    private ClientThreadFamilies() {
    }

    /** The thread family of a client family ({@code jdk-httpclient}, {@code okhttp}, ...), or -1 if its threads are not known by name. */
    public static int ofClientFamily(String clientFamily) {
        switch (clientFamily) {
            case "jdk-httpclient": return 0;
            case "okhttp": return 1;
            case "netty-bootstrap": case "spring-webclient": case "vertx-webclient": return 2;
            case "lettuce": return 3;
            case "apache-httpclient5-async": return 4;
            case "grpc": return 5;
            default: return -1;
        }
    }

    /** The family index of a thread named {@code name}, or -1. */
    static int familyOf(String name) {
        if (name == null) {
            return -1;
        }
        if (name.startsWith("HttpClient-") && name.endsWith("-SelectorManager")) {
            return 0;
        }
        if (name.startsWith("OkHttp ")) {
            return 1;
        }
        if (name.startsWith("lettuce-")) {
            return 3;
        }
        if (name.startsWith("httpclient-dispatch-") || name.startsWith("I/O dispatcher ")) {
            return 4;
        }
        if (name.startsWith("grpc-")) {
            return 5;
        }
        if (name.contains("EventLoopGroup-") || name.contains("EventLoop-")) {
            return 2;
        }
        return -1;
    }

    /** Live platform threads per family, counted by name (the reporter thread's job: it lists every thread). */
    public static int[] count() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 64];
        int n = root.enumerate(threads, true);
        int[] counts = new int[NAMES.length];
        for (int i = 0; i < n; i++) {
            int f = familyOf(threads[i].getName());
            if (f >= 0) {
                counts[f]++;
            }
        }
        return counts;
    }
}
