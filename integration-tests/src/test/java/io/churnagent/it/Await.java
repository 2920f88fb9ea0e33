package io.churnagent.it;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way the integration tests wait: Awaitility polls a probe (in the test's own thread, every
 * {@value #POLL_MILLIS} ms, the first time at once) until it gives what the test awaits, and a timeout
 * fails with the test's own message, built from the last value seen. No test sleeps before asserting:
 * it awaits a positive event (a line, a report, a scrape) and asserts on that.
 */
public final class Await {

    /** How often a probe runs: reading a forked JVM's log files is cheap, and 100 ms adds little to a test. */
    public static final long POLL_MILLIS = 100;

    private Await() {
    }

    /**
     * Runs {@code probe} until {@code done} accepts its value and returns that value; after
     * {@code timeout} fails with {@code failure} applied to the last value (null if the probe never
     * returned). An exception of the probe fails at once.
     */
    public static <T> T until(Duration timeout, Callable<T> probe, Predicate<? super T> done,
                              Function<? super T, String> failure) {
        AtomicReference<T> last = new AtomicReference<>();
        try {
            return Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(POLL_MILLIS)).pollInSameThread()
                    .until(() -> {
                        T value = probe.call();
                        last.set(value);
                        return value;
                    }, done::test);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not within " + timeout + ": " + failure.apply(last.get()), e);
        }
    }

    /** Runs {@code condition} until it is true; after {@code timeout} fails with {@code failure}. */
    public static void until(Duration timeout, Callable<Boolean> condition, Supplier<String> failure) {
        until(timeout, condition, Boolean.TRUE::equals, last -> failure.get());
    }
}
