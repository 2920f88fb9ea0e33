package io.churnagent.churn;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failed server-socket binds, handed from the failing application thread to the reporter thread,
 * which diagnoses them off that thread; thread-safe, lock-free and bounded ({@link #CAPACITY}
 * pending, more are counted and dropped).
 */
public final class BindFailures {

    /** Pending failures kept at most; a bind failure is rare, a burst of them says the same thing. */
    public static final int CAPACITY = 32;

    /** One failed bind: what was asked for, the exception's message, and whether SO_REUSEADDR was set. */
    public static final class Failure {
        private final SocketAddress requested;
        private final String message;
        private final boolean reuseAddress;

        Failure(SocketAddress requested, String message, boolean reuseAddress) {
            this.requested = requested;
            this.message = message;
            this.reuseAddress = reuseAddress;
        }

        public SocketAddress requested() {
            return requested;
        }

        /** The exception's message, e.g. "Address already in use" (never null). */
        public String message() {
            return message;
        }

        public boolean reuseAddress() {
            return reuseAddress;
        }
    }

    private final ConcurrentLinkedQueue<Failure> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();

    /** Records a failure of {@code error} (only {@code java.net.BindException}s are kept). */
    public void record(SocketAddress requested, Throwable error, boolean reuseAddress) {
        if (!(error instanceof java.net.BindException)) {
            return;
        }
        if (size.incrementAndGet() > CAPACITY) {
            size.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        String message = error.getMessage();
        pending.add(new Failure(requested, message == null ? "" : message, reuseAddress));
    }

    /** Takes every pending failure, oldest first. */
    public List<Failure> drain() {
        List<Failure> result = new ArrayList<>();
        Failure f;
        while ((f = pending.poll()) != null) {
            size.decrementAndGet();
            result.add(f);
        }
        return result;
    }

    /** Failures dropped because {@link #CAPACITY} were already pending. */
    public long dropped() {
        return dropped.get();
    }
}
