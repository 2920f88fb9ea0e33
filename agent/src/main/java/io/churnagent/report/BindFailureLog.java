package io.churnagent.report;

import io.churnagent.log.LogEvent;
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
                LogEvent event = diagnose(f);
                if (event != null) {
                    log.error("{}", event);
                }
            } catch (Throwable t) {
                log.error("{}", LogEvent.of("agent_error").add("where", "bind_failure").error(t));
            }
        }
        long dropped = failures.dropped();
        if (dropped > droppedReported) {
            log.warn("{}", LogEvent.of("bind_failure_dropped").add("count", dropped - droppedReported)
                    .remark("(more failed binds at once than the agent diagnoses)"));
            droppedReported = dropped;
        }
    }

    /** The event for one failure, or null when it is rate-limited or not one of the two kinds. */
    LogEvent diagnose(BindFailures.Failure f) {
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
        LogEvent line = LogEvent.of("bind_failure")
                .add("address", address)
                .add("error", message);
        if (repeats != null) {
            line.add("repeats_not_logged", repeats);
        }
        return inUse ? inUse(line, requested, address, f.reuseAddress()) : notLocal(line, requested, address);
    }

    private LogEvent inUse(LogEvent line, InetSocketAddress requested, String address, boolean reuse) {
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
        line.add("reuse_address", reuse);
        if (owners.available()) {
            line.add("listeners", listeners.size()).add("time_wait", timeWait);
        } else {
            line.addAbsent("listeners", "unknown").addAbsent("time_wait", "unknown");
        }
        PortOwners.Holder first = listeners.isEmpty() ? null : listeners.get(0);
        if (first != null) {
            if (first.pid() >= 0) {
                line.add("holder_pid", first.pid());
            } else {
                line.addAbsent("holder_pid", "unknown");
            }
            line.add("holder_uid", first.uid());
            if (first.command() != null) {
                line.add("holder_command", first.command());
            }
        }
        line.explain("Binding " + address + " failed with \"Address already in use\" (EADDRINUSE): another socket holds the port.");
        if (!owners.available()) {
            line.explain("/proc/net/tcp cannot be read here, so what holds it is unknown (try 'ss -ltnp sport = :"
                    + requested.getPort() + "').");
        } else if (first != null) {
            for (PortOwners.Holder h : listeners) {
                line.explain("A server listens on " + h.local() + " (uid " + h.uid() + "): " + owner(h, owners) + ".");
            }
            line.explain("Stop that server, or give this one another port; SO_REUSEADDR does not help against a live"
                    + " listener.");
        } else if (timeWait > 0 || !others.isEmpty()) {
            StringBuilder leftovers = new StringBuilder("No server listens on port ").append(requested.getPort())
                    .append("; only leftovers of earlier connections hold it: ").append(timeWait).append(" in TIME_WAIT");
            others.forEach((state, n) -> leftovers.append(", ").append(n).append(" in ").append(state));
            line.explain(leftovers.append('.').toString());
            if (!reuse) {
                line.explain("This socket did not set SO_REUSEADDR, which is the fix:"
                        + " it lets a server bind over TIME_WAIT leftovers (setReuseAddress(true) /"
                        + " StandardSocketOptions.SO_REUSEADDR before bind; most servers set it, and Java does by"
                        + " default on Linux unless the code turns it off).");
            } else {
                line.explain("This socket set SO_REUSEADDR, which allows binding over"
                        + " TIME_WAIT, so a leftover without SO_REUSEADDR of its own (a socket that bound this port"
                        + " explicitly and connected out) holds it; it is gone within 60 s.");
            }
        } else {
            line.explain("No TCP socket in this network namespace holds port " + requested.getPort()
                    + " now: it was released since, or is held by a socket the tables do not show (another namespace,"
                    + " SO_REUSEPORT group).");
        }
        return line;
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

    private LogEvent notLocal(LogEvent line, InetSocketAddress requested, String address) {
        List<String> locals = localAddresses();
        line.add("local_addresses", String.join(",", locals));
        line.explain(String.format(Locale.ROOT,
                "Binding %s failed with \"Cannot assign requested address\" (EADDRNOTAVAIL): %s is not an address of"
                        + " this host. Its addresses: %s.", address,
                requested.getAddress() == null ? requested.getHostString() : requested.getAddress().getHostAddress(),
                locals.isEmpty() ? "none found" : String.join(", ", locals)));
        return line.explain("Bind to 0.0.0.0 or :: (every interface) or to one of these; if it is a virtual IP"
                + " (keepalived, a cloud secondary IP), it is not attached to this host yet.");
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
