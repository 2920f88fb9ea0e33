package io.churnagent.churn;

import java.util.Locale;

/**
 * Why a destination churns when the agent can tell, and that cause's fix; an immutable decision,
 * made by {@link #of} from the figures, who holds the TIME_WAIT and where the churning connections
 * come from.
 *
 * <ul>
 *   <li>{@link Reason#SERVER_CLOSES_EACH}: the peer closes first (the kernel shows the TIME_WAIT on its
 *       side) and the connections lived under a second on average: one request each, HTTP/1.0 or
 *       {@code Connection: close};</li>
 *   <li>{@link Reason#SERVER_IDLE_TIMEOUT}: the peer closes first after the connections lived a second
 *       or more: it closes idle keep-alive connections sooner than the gaps between this side's calls;</li>
 *   <li>{@link Reason#OKHTTP_IDLE_LIMIT}: this side closes (the kernel shows the TIME_WAIT here), the
 *       churning site connects through OkHttp, OkHttp clients are not built per call, and at least the
 *       pool's idle limit of connections stays open: one shared client's {@code ConnectionPool} keeps
 *       only {@code maxIdleConnections} (5 by default) and closes the rest after each burst.</li>
 * </ul>
 * Otherwise there is no cause ({@link #of} returns null) and the generic fix stands.
 */
public final class ChurnCause {

    /** The causes the agent can tell apart; {@link #label()} is the {@code churn_reason=} value. */
    public enum Reason {
        SERVER_CLOSES_EACH("server_closes_each_connection"),
        SERVER_IDLE_TIMEOUT("server_idle_timeout"),
        OKHTTP_IDLE_LIMIT("okhttp_pool_idle_limit");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Average lifetimes below this are one request per connection. */
    static final double ONE_REQUEST_MILLIS = 1_000;

    private final Reason reason;
    private final int idleLimit;
    private final double lifetimeMillis;

    private ChurnCause(Reason reason, int idleLimit, double lifetimeMillis) {
        this.reason = reason;
        this.idleLimit = idleLimit;
        this.lifetimeMillis = lifetimeMillis;
    }

    /**
     * The cause of {@code f}'s churn, or null when the agent cannot tell.
     *
     * @param side             who holds its TIME_WAIT
     * @param churningSite     the top churning call site's stack, or null
     * @param okHttpMaxIdle    the idle limit of the OkHttp pools built, or -1
     * @param okHttpPerCall    whether OkHttp clients are being built per call
     */
    public static ChurnCause of(DestinationFigures f, TimeWaitSide.Side side, TrimmedStack churningSite,
                                int okHttpMaxIdle, boolean okHttpPerCall) {
        if (f.closes() == 0 || f.mostlyAborted()) {
            return null;
        }
        if (side == TimeWaitSide.Side.PEER) {
            return new ChurnCause(f.lifetimeAvgMillis() < ONE_REQUEST_MILLIS ? Reason.SERVER_CLOSES_EACH
                    : Reason.SERVER_IDLE_TIMEOUT, -1, f.lifetimeAvgMillis());
        }
        // the pool's idle connections stay open (at least its limit) while the others are closed, by this side
        if (side == TimeWaitSide.Side.THIS_HOST && churningSite != null && churningSite.library() != null
                && churningSite.library().startsWith("okhttp3.") && okHttpMaxIdle > 0 && !okHttpPerCall
                && f.open() >= okHttpMaxIdle) {
            return new ChurnCause(Reason.OKHTTP_IDLE_LIMIT, okHttpMaxIdle, f.lifetimeAvgMillis());
        }
        return null;
    }

    public Reason reason() {
        return reason;
    }

    /** The OkHttp pool's idle limit for {@link Reason#OKHTTP_IDLE_LIMIT}, else -1. */
    public int idleLimit() {
        return idleLimit;
    }

    /** The sentence that says why, with its fix (replaces the generic fix). */
    public String explanation() {
        if (reason == Reason.SERVER_CLOSES_EACH) {
            return String.format(Locale.ROOT, "Why: the server closes each connection after its response (HTTP/1.0, or"
                        + " a \"Connection: close\" header): the kernel shows the TIME_WAIT on its side, and the"
                        + " connections lived %.0f ms on average, one request each, so even a shared pooled client"
                        + " opens one per request. Fix: turn keep-alive on at the server (or the proxy in front of it),"
                        + " and make sure the client does not send \"Connection: close\".", lifetimeMillis);
        }
        if (reason == Reason.SERVER_IDLE_TIMEOUT) {
            return String.format(Locale.ROOT, "Why: the server closes idle keep-alive connections (the kernel shows"
                        + " the TIME_WAIT on its side) after they lived %.1f s on average, sooner than the gaps between"
                        + " this side's calls, so the pool keeps reopening them. Fix: let the client's pool evict idle"
                        + " connections before the server's keep-alive timeout, or raise that timeout above the gaps"
                        + " between calls.", lifetimeMillis / 1000);
        }
        return String.format(Locale.ROOT, "Why: the churning connections come from a shared OkHttp client whose"
                        + " ConnectionPool keeps at most %d idle connections (OkHttp's default is 5, for 5 minutes):"
                        + " at more concurrent calls than that, the connections beyond %d are closed after each burst"
                        + " and opened again in the next. Fix: size the pool for the peak concurrency on the shared"
                        + " client (new OkHttpClient.Builder().connectionPool(new ConnectionPool(<peak concurrent"
                        + " calls>, 5, TimeUnit.MINUTES))), or cap the concurrent calls per host.", idleLimit, idleLimit);
    }
}
