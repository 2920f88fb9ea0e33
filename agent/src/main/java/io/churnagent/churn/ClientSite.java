package io.churnagent.churn;

/**
 * One place in the application that builds clients inside request handlers: its first stack, the
 * handler it ran under, and counts (total and per second over the last minute); thread-safe (its
 * mutators are synchronized; they run once per recorded construction, never on the connect path).
 */
public final class ClientSite {

    static final int WINDOW_SECONDS = 60;

    private final TrimmedStack stack;
    private final String family;
    private final String handler;
    private final long[] secondOf = new long[WINDOW_SECONDS];
    private final int[] countOf = new int[WINDOW_SECONDS];
    private long total;
    private long lastWarnedAt;
    private boolean warned;

    /** A site whose first construction had {@code stack} (with a site) under {@code handler}; nothing recorded yet. */
    public ClientSite(String family, TrimmedStack stack, String handler) {
        stack.frames(); // resolve the frames now rather than hold the walker's
        this.stack = stack;
        this.family = family;
        this.handler = handler;
        java.util.Arrays.fill(secondOf, Long.MIN_VALUE);
    }

    synchronized void record(long nanoTime) {
        long second = Math.floorDiv(nanoTime, 1_000_000_000L);
        int slot = (int) Math.floorMod(second, (long) WINDOW_SECONDS);
        if (secondOf[slot] != second) {
            secondOf[slot] = second;
            countOf[slot] = 0;
        }
        countOf[slot]++;
        total++;
    }

    /** Constructions recorded in the 60 one-second buckets that end with the second of {@code nanoTime}. */
    public synchronized long lastMinute(long nanoTime) {
        long second = Math.floorDiv(nanoTime, 1_000_000_000L);
        long sum = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            if (secondOf[i] > second - WINDOW_SECONDS && secondOf[i] <= second) {
                sum += countOf[i];
            }
        }
        return sum;
    }

    /** Whether a warning is due now (and if so, remembers that it was given). */
    synchronized boolean warningDue(long nanoTime, long built, int threshold, long intervalNanos) {
        if (built <= threshold) {
            return false;
        }
        if (warned && nanoTime - lastWarnedAt < intervalNanos) {
            return false;
        }
        warned = true;
        lastWarnedAt = nanoTime;
        return true;
    }

    /** {@code Class.method(File.java:LINE)} of the first application frame. */
    public String site() {
        return stack.site();
    }

    /** The client family, e.g. {@code jdk-httpclient}, {@code okhttp}, {@code jdbc}. */
    public String family() {
        return family;
    }

    /** The handler the first construction ran under: its frame {@code Class.method(File.java:LINE)} when on the stack. */
    public String handler() {
        return handler;
    }

    /** The trimmed stack of the first construction. */
    public TrimmedStack stack() {
        return stack;
    }

    /** Constructions recorded here so far. */
    public synchronized long total() {
        return total;
    }
}
