package io.churnagent.churn;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * Why a connect failed, as the label that reports use; stateless and thread-safe.
 *
 * <p>Classification goes by message as well as by class: JDK 17 and 25 throw
 * {@code BindException: Cannot assign requested address} for EADDRNOTAVAIL, older JDKs threw
 * {@code NoRouteToHostException} with the same text.
 */
public enum FailureReason {
    /** EADDRNOTAVAIL: no free source port for this destination (port exhaustion). */
    ADDR_NOT_AVAIL("addr_not_avail"),
    /** ECONNREFUSED: nothing listens there. */
    REFUSED("refused"),
    /** The connect timed out. */
    TIMEOUT("timeout"),
    /** EHOSTUNREACH / ENETUNREACH. */
    NO_ROUTE("no_route"),
    /** The host name did not resolve. */
    UNRESOLVED("unresolved"),
    /** Anything else. */
    OTHER("other");

    private final String label;

    FailureReason(String label) {
        this.label = label;
    }

    /** The lower-case label used in log lines, e.g. {@code addr_not_avail}. */
    public String label() {
        return label;
    }

    /**
     * The reason for {@code error}, or null when the exception says the application misused the API
     * (already connected, closed channel, ...) rather than that a network connect failed.
     */
    public static FailureReason classify(Throwable error) {
        if (error instanceof UnresolvedAddressException || error instanceof UnknownHostException) {
            return UNRESOLVED; // before the misuse check: UnresolvedAddressException is an IllegalArgumentException
        }
        if (error instanceof AlreadyConnectedException || error instanceof ConnectionPendingException
                || error instanceof NoConnectionPendingException || error instanceof ClosedChannelException
                || error instanceof IllegalBlockingModeException
                || error instanceof UnsupportedAddressTypeException || error instanceof IllegalArgumentException) {
            return null;
        }
        String message = error.getMessage();
        if (message != null && message.contains("Cannot assign requested address")) {
            return ADDR_NOT_AVAIL;
        }
        if (error instanceof SocketTimeoutException) {
            return TIMEOUT;
        }
        if (error instanceof NoRouteToHostException
                || (message != null && (message.contains("No route to host") || message.contains("Network is unreachable")))) {
            return NO_ROUTE;
        }
        if (error instanceof ConnectException || (message != null && message.contains("Connection refused"))) {
            return REFUSED;
        }
        return OTHER;
    }
}
