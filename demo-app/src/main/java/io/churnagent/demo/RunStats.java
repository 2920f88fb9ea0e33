package io.churnagent.demo;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what happened during a run and remembers the first failure; every method is thread-safe.
 * "First" means first recorded: a gateway's backend failure is recorded before the 502 it causes
 * reaches the load driver, so the root cause (e.g. {@code BindException}) wins over the symptom.
 */
final class RunStats {
    private final LongAdder requestsOk = new LongAdder();
    private final LongAdder requestsFailed = new LongAdder();
    private final LongAdder requestsSkipped = new LongAdder();
    private final LongAdder backendFailures = new LongAdder();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();

    void requestOk() {
        requestsOk.increment();
    }

    void requestFailed(String where, String what) {
        requestsFailed.increment();
        firstFailure.compareAndSet(null, where + ": " + what);
    }

    /** A request the driver did not send because too many were already in flight. */
    void requestSkipped() {
        requestsSkipped.increment();
    }

    void backendFailed(String where, Throwable failure) {
        backendFailures.increment();
        firstFailure.compareAndSet(null, where + ": " + describe(failure));
    }

    long requestsOk() {
        return requestsOk.sum();
    }

    long requestsFailed() {
        return requestsFailed.sum();
    }

    long requestsSkipped() {
        return requestsSkipped.sum();
    }

    long backendFailures() {
        return backendFailures.sum();
    }

    /** The first failure as "where: exception", or null if nothing failed. */
    String firstFailure() {
        return firstFailure.get();
    }

    /**
     * The exception and its causes on one line. The JDK HttpClient wraps a failed connect in a
     * {@code ConnectException} whose cause carries the useful message ("Cannot assign requested
     * address"), so the causes matter.
     */
    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(failure.toString());
        Throwable cause = failure.getCause();
        for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
            text.append(" (caused by ").append(cause).append(')');
        }
        return text.toString();
    }
}
