package io.churnagent.report;

import io.churnagent.log.Logfmt;
import io.churnagent.churn.BindFailures;
import io.churnagent.kernel.PortOwners;
import org.slf4j.Logger;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Diagnoses failed server-socket binds and logs one {@code event=bind_failure} ERROR per address at
 * most once per interval: for "Address already in use", what holds the port (a listener and its
 * process, or only TIME_WAIT leftovers and whether {@code SO_REUSEADDR} was set); for "Cannot assign
 * requested address", the local addresses. Not thread-safe: confined to the reporter thread (and the
 * shutdown hook after it stopped).
 */
public final class BindFailureLog {

    private static final int MAX_REMEMBERED = 1000;

    private final BindFailures failures;
    private final Path procRoot;
    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final Map<String, Long> loggedAt = new HashMap<>();
    private final Map<String, Integer> suppressed = new HashMap<>();
    private long droppedReported;

    public BindFailureLog(BindFailures failures, Path procRoot, Logger log, long intervalNanos, LongSupplier clock) {
        this.failures = failures;
        this.procRoot = procRoot;
        this.log = log;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
    }

    /** Diagnoses and logs what is pending; never throws. */
    public void logPending() {
        for (BindFailures.Failure f : failures.drain()) {
            try {
                String text = diagnose(f);
                if (text != null) {
                    log.error(text);
                }
            } catch (Throwable t) {
                log.error("event=agent_error where=bind_failure error=\"{}\"", t.toString());
            }
        }
        long dropped = failures.dropped();
        if (dropped > droppedReported) {
            log.warn("event=bind_failure_dropped count={} (more failed binds at once than the agent diagnoses)",
                    dropped - droppedReported);
            droppedReported = dropped;
        }
    }

    /** The message for one failure, or null when it is rate-limited or not one of the two kinds. */
    String diagnose(BindFailures.Failure f) {
        if (!(f.requested() instanceof InetSocketAddress)) {
            return null;
        }
        InetSocketAddress requested = (InetSocketAddress) f.requested();
        String message = f.message();
        boolean inUse = message.contains("already in use");
        boolean notLocal = message.contains("assign requested address");
        if (!inUse && !notLocal) {
            return null;
        }
        String address = label(requested);
        long now = clock.getAsLong();
        Long last = loggedAt.get(address);
        if (last != null && now - last < intervalNanos) {
            suppressed.merge(address, 1, Integer::sum);
            return null;
        }
        if (loggedAt.size() >= MAX_REMEMBERED) {
            loggedAt.clear();
            suppressed.clear();
        }
        loggedAt.put(address, now);
        Integer repeats = suppressed.remove(address);
        Logfmt line = new Logfmt()
                .add("event", "bind_failure")
                .add("address", address)
                .add("error", message);
        if (repeats != null) {
            line.add("repeats_not_logged", repeats);
        }
        return inUse ? inUse(line, requested, address, f.reuseAddress()) : notLocal(line, requested, address);
    }

    private String inUse(Logfmt line, InetSocketAddress requested, String address, boolean reuse) {
        PortOwners owners = PortOwners.read(procRoot, requested.getAddress(), requested.getPort());
        List<PortOwners.Holder> listeners = new ArrayList<>();
        int timeWait = 0;
        Map<String, Integer> others = new java.util.TreeMap<>();
        for (PortOwners.Holder h : owners.holders()) {
            if (h.listening()) {
                listeners.add(h);
            } else if (h.timeWait()) {
                timeWait++;
            } else {
                others.merge(h.stateName(), 1, Integer::sum);
            }
        }
        line.add("reuse_address", Boolean.toString(reuse))
                .add("listeners", owners.available() ? Integer.toString(listeners.size()) : "unknown")
                .add("time_wait", owners.available() ? Integer.toString(timeWait) : "unknown");
        PortOwners.Holder first = listeners.isEmpty() ? null : listeners.get(0);
        if (first != null) {
            line.add("holder_pid", first.pid() >= 0 ? Long.toString(first.pid()) : "unknown")
                    .add("holder_uid", first.uid());
            if (first.command() != null) {
                line.add("holder_command", first.command());
            }
        }
        StringBuilder text = new StringBuilder(line.toString());
        text.append(ChurnLogFormat.CONTINUATION).append("Binding ").append(address)
                .append(" failed with \"Address already in use\" (EADDRINUSE): another socket holds the port.");
        if (!owners.available()) {
            text.append(ChurnLogFormat.CONTINUATION).append("/proc/net/tcp cannot be read here, so what holds it is"
                    + " unknown (try 'ss -ltnp sport = :").append(requested.getPort()).append("').");
        } else if (first != null) {
            for (PortOwners.Holder h : listeners) {
                text.append(ChurnLogFormat.CONTINUATION).append("A server listens on ").append(h.local())
                        .append(" (uid ").append(h.uid()).append("): ").append(owner(h, owners)).append('.');
            }
            text.append(ChurnLogFormat.CONTINUATION).append("Stop that server, or give this one another port;"
                    + " SO_REUSEADDR does not help against a live listener.");
        } else if (timeWait > 0 || !others.isEmpty()) {
            text.append(ChurnLogFormat.CONTINUATION).append("No server listens on port ").append(requested.getPort())
                    .append("; only leftovers of earlier connections hold it: ").append(timeWait).append(" in TIME_WAIT");
            others.forEach((state, n) -> text.append(", ").append(n).append(" in ").append(state));
            text.append('.');
            if (!reuse) {
                text.append(ChurnLogFormat.CONTINUATION).append("This socket did not set SO_REUSEADDR, which is the fix:"
                        + " it lets a server bind over TIME_WAIT leftovers (setReuseAddress(true) /"
                        + " StandardSocketOptions.SO_REUSEADDR before bind; most servers set it, and Java does by"
                        + " default on Linux unless the code turns it off).");
            } else {
                text.append(ChurnLogFormat.CONTINUATION).append("This socket set SO_REUSEADDR, which allows binding over"
                        + " TIME_WAIT, so a leftover without SO_REUSEADDR of its own (a socket that bound this port"
                        + " explicitly and connected out) holds it; it is gone within 60 s.");
            }
        } else {
            text.append(ChurnLogFormat.CONTINUATION).append("No TCP socket in this network namespace holds port ")
                    .append(requested.getPort()).append(" now: it was released since, or is held by a socket the"
                    + " tables do not show (another namespace, SO_REUSEPORT group).");
        }
        return text.toString();
    }

    private static String owner(PortOwners.Holder h, PortOwners owners) {
        if (h.pid() >= 0) {
            boolean self = h.pid() == ProcessHandle.current().pid();
            return "process " + h.pid() + (self ? " (this JVM)" : "") + (h.command() != null ? ", " + h.command() : "");
        }
        if (owners.processesNotReadable() > 0) {
            return "its process is not visible to this user (" + owners.processesNotReadable() + " processes' file"
                    + " descriptors cannot be read; run 'ss -ltnp' as root or as uid " + h.uid() + ")";
        }
        return owners.searchCut() ? "its process was not found before the search limit"
                : "its process was not found (it may run in another PID namespace)";
    }

    private String notLocal(Logfmt line, InetSocketAddress requested, String address) {
        List<String> locals = localAddresses();
        line.add("local_addresses", String.join(",", locals));
        StringBuilder text = new StringBuilder(line.toString());
        text.append(ChurnLogFormat.CONTINUATION).append(String.format(Locale.ROOT,
                "Binding %s failed with \"Cannot assign requested address\" (EADDRNOTAVAIL): %s is not an address of"
                        + " this host. Its addresses: %s.", address,
                requested.getAddress() == null ? requested.getHostString() : requested.getAddress().getHostAddress(),
                locals.isEmpty() ? "none found" : String.join(", ", locals)));
        text.append(ChurnLogFormat.CONTINUATION).append("Bind to 0.0.0.0 or :: (every interface) or to one of these;"
                + " if it is a virtual IP (keepalived, a cloud secondary IP), it is not attached to this host yet.");
        return text.toString();
    }

    private static List<String> localAddresses() {
        List<String> result = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    String ip = a.getHostAddress();
                    int zone = ip.indexOf('%');
                    result.add((zone > 0 ? ip.substring(0, zone) : ip) + "(" + nif.getName() + ")");
                }
            }
        } catch (Exception e) {
            // none listed
        }
        return result;
    }

    private static String label(InetSocketAddress a) {
        if (a.getAddress() == null) {
            return a.getHostString() + ":" + a.getPort();
        }
        String ip = a.getAddress().getHostAddress();
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + a.getPort() : ip + ":" + a.getPort();
    }
}
