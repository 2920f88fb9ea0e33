package io.churnagent.churn;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps the JDK {@code HttpClient}'s thread names to the call site that built the client;
 * thread-safe, bounded (cleared when full: recent clients are registered again as they are built).
 *
 * <p>The JDK client connects on its own threads, {@code HttpClient-<id>-SelectorManager} and
 * {@code HttpClient-<id>-Worker-<n>}, created without inheriting thread-locals, so their stacks and
 * their thread-locals say nothing about the application. The client's {@code toString()} ends with
 * {@code (<id>)} (kept so for the JDK's own tests), which links the two.
 */
public final class JdkClientThreads {

    static final int MAX_CLIENTS = 1_000;

    private final ConcurrentHashMap<String, TrimmedStack> byPrefix = new ConcurrentHashMap<>();

    public JdkClientThreads() {
    }

    /** {@code HttpClient-<id>-} for a client whose toString ends with {@code (<id>)}, or null. */
    static String prefixOf(Object client) {
        String text = String.valueOf(client);
        int close = text.lastIndexOf(')');
        int open = text.lastIndexOf('(', close);
        if (open < 0 || close != text.length() - 1 || close - open < 2) {
            return null;
        }
        for (int i = open + 1; i < close; i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return null;
            }
        }
        return "HttpClient-" + text.substring(open + 1, close) + "-";
    }

    void register(String prefix, TrimmedStack site) {
        if (prefix == null || site == null) {
            return;
        }
        if (byPrefix.size() >= MAX_CLIENTS) {
            byPrefix.clear();
        }
        byPrefix.put(prefix, site);
    }

    public TrimmedStack lookup(String threadName) {
        if (threadName == null || !threadName.startsWith("HttpClient-") || byPrefix.isEmpty()) {
            return null;
        }
        int dash = threadName.indexOf('-', "HttpClient-".length());
        return dash < 0 ? null : byPrefix.get(threadName.substring(0, dash + 1));
    }
}
