package io.churnagent.churn;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the failures that say a process-wide wall was hit: "Too many open files" (EMFILE, at a socket's,
 * an accept's or a selector's creation) and "unable to create native thread"; thread-safe, lock-free.
 *
 * <p>Matched by message, not class: JDK 17 and 25 throw {@code IOException: Too many open files} (a
 * {@code SocketException} from {@code Socket}), and {@code OutOfMemoryError: unable to create native
 * thread: possibly out of memory or process/resource limits reached}.
 */
public final class ResourceFailures {

    /** {@link #firstFdFailureAt()} and {@link #firstThreadFailureAt()} before any. */
    public static final long NONE = Long.MIN_VALUE;

    private final Ticker ticker;
    private final AtomicLong fdFailures = new AtomicLong();
    private final AtomicLong threadFailures = new AtomicLong();
    private volatile long firstFdFailureAt = NONE;
    private volatile long firstThreadFailureAt = NONE;
    private volatile String lastFdWhere = "";

    public ResourceFailures(Ticker ticker) {
        this.ticker = ticker;
    }

    /** Whether {@code error} (or a cause) says the process ran out of file descriptors. */
    public static boolean isFdExhaustion(Throwable error) {
        return messageContains(error, "Too many open files");
    }

    /** Whether {@code error} (or a cause) says no more threads could be started. */
    public static boolean isThreadExhaustion(Throwable error) {
        return messageContains(error, "unable to create native thread")
                || messageContains(error, "unable to create new native thread");
    }

    private static boolean messageContains(Throwable error, String text) {
        for (int depth = 0; error != null && depth < 4; depth++, error = error.getCause()) {
            String message = error.getMessage();
            if (message != null && message.contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** Counts {@code error} if it is one of the walls; {@code where} names the operation (socket, accept, selector, thread). */
    public void record(String where, Throwable error) {
        if (isFdExhaustion(error)) {
            lastFdWhere = where;
            if (fdFailures.getAndIncrement() == 0) {
                firstFdFailureAt = ticker.nanoTime();
            }
        } else if (isThreadExhaustion(error)) {
            if (threadFailures.getAndIncrement() == 0) {
                firstThreadFailureAt = ticker.nanoTime();
            }
        }
    }

    public long fdFailures() {
        return fdFailures.get();
    }

    public long threadFailures() {
        return threadFailures.get();
    }

    /** Ticker time of the first EMFILE failure, or {@link #NONE}. */
    public long firstFdFailureAt() {
        return firstFdFailureAt;
    }

    /** Ticker time of the first failed thread start, or {@link #NONE}. */
    public long firstThreadFailureAt() {
        return firstThreadFailureAt;
    }

    /** The operation of the latest EMFILE failure (socket, accept, selector), or empty. */
    public String lastFdWhere() {
        return lastFdWhere;
    }
}
