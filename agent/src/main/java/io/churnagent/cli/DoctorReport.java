package io.churnagent.cli;

import io.churnagent.churn.ConntrackProjection;
import io.churnagent.churn.ModelSettings;
import io.churnagent.kernel.Conntrack;
import io.churnagent.kernel.HostFactors;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.ReuseExplanation;
import io.churnagent.kernel.PortRange;
import io.churnagent.kernel.TcpSocketTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of {@code doctor} for one snapshot of the kernel's settings and socket table, and its
 * verdict; an immutable value built by {@link #of}, pure (no I/O), thread-safe.
 *
 * <p>A destination's share is what the kernel holds towards it (TIME_WAIT, established and closing
 * sockets, every process of the network namespace) over the ports one destination may use. That is
 * the truth of this moment, not a projection: {@code doctor} is for when the error is happening.
 * Destinations are listed by that share, not by TIME_WAIT alone: connections a program opens and
 * never closes (clients dropped without {@code close()}) use up the range as surely, with no TIME_WAIT.
 *
 * <p>Beyond ports it shows the other walls churn runs into that the kernel can tell: CLOSE_WAIT per
 * destination (named as a leak: a count, it only grows until the owner closes) and the conntrack
 * table's use, projected at this host's close rate as TIME_WAIT shows it (a lower bound on its new
 * connections: only the closes where this side closed first leave TIME_WAIT), and a summary of the
 * walls, nearest first, each with its fix.
 */
final class DoctorReport {

    /** A destination whose share reaches this is out of ports (connects fail or are about to). */
    static final double EXHAUSTED_SHARE = 0.95;

    private final List<String> lines;
    private final List<String> critical;
    private final boolean socketTableRead;

    private DoctorReport(List<String> lines, List<String> critical, boolean socketTableRead) {
        this.lines = lines;
        this.critical = critical;
        this.socketTableRead = socketTableRead;
    }

    /** The lines to print. */
    List<String> lines() {
        return lines;
    }

    /** The destinations at or above the critical ratio, worst first. */
    List<String> critical() {
        return critical;
    }

    /** Whether {@code /proc/net/tcp} or {@code tcp6} could be read at all. */
    boolean socketTableRead() {
        return socketTableRead;
    }

    static DoctorReport of(KernelSettings k, TcpSocketTable table, double warnRatio, double criticalRatio, int top) {
        return of(k, table, null, warnRatio, criticalRatio, top);
    }

    /** @param conntrack the conntrack table as read, or null to leave conntrack out (not looked at) */
    static DoctorReport of(KernelSettings k, TcpSocketTable table, Conntrack conntrack, double warnRatio,
                           double criticalRatio, int top) {
        List<String> out = new ArrayList<>();
        List<String> critical = new ArrayList<>();
        PortRange range = k.portRange();
        int capacity = range.capacity();
        out.add("Churn Agent doctor: what this host's kernel allows and holds right now (this network namespace)");
        for (String problem : k.problems()) {
            out.add("  note: " + problem);
        }
        out.add("");
        out.add("Source ports");
        row(out, "ip_local_port_range", range.low() + "-" + range.high() + " (" + range.size() + " ports)"
                + (k.portRangeFromKernel() ? "" : " [not read: the kernel's default]"));
        row(out, "ip_local_reserved_ports", range.reservedInRange() == 0 ? "none inside the range"
                : range.reservedInRange() + " inside the range, never handed out by connect()");
        row(out, "capacity", capacity + " connections at once per destination (remote IP:port) and local IP; beyond"
                + " that connect() fails with \"Cannot assign requested address\" (EADDRNOTAVAIL)");
        out.add("");
        out.add("TIME_WAIT (the side that closes a connection first keeps its port for 60 s, TCP_TIMEWAIT_LEN,"
                + " fixed in Linux)");
        row(out, "tcp_tw_reuse", k.tcpTwReuse() < 0 ? "unknown" : k.tcpTwReuse() + ": " + reuseMeaning(k.tcpTwReuse()));
        row(out, "tcp_tw_reuse_delay", k.tcpTwReuseDelayMillis() < 0
                ? "absent (older kernel: reuse after a fixed 1 s)"
                : k.tcpTwReuseDelayMillis() + " ms: how old a TIME_WAIT socket must be before reuse");
        row(out, "tcp_timestamps", k.tcpTimestamps() < 0 ? "unknown"
                : k.tcpTimestamps() + (k.tcpTimestamps() == 0 ? ": off, so tcp_tw_reuse can never apply"
                : ": on (tcp_tw_reuse needs them)"));
        row(out, "tcp_max_tw_buckets", k.tcpMaxTwBuckets() < 0 ? "unknown" : k.tcpMaxTwBuckets()
                + ": above this many TIME_WAIT sockets host-wide the kernel destroys new ones at once and logs"
                + " \"time wait bucket table overflow\"");
        row(out, "tcp_fin_timeout", (k.tcpFinTimeout() < 0 ? "unknown" : k.tcpFinTimeout() + " s")
                + ": how long an orphaned socket waits in FIN_WAIT_2 for the peer's FIN. It does NOT shorten"
                + " TIME_WAIT, which stays 60 s whatever it says; lowering it does nothing against port exhaustion");
        for (String s : new String[] {"remote destinations: " + HostFactors.paragraph(k, false, capacity),
                "loopback: " + ReuseExplanation.of(k, true) + "."}) {
            out.add("  " + s);
        }
        out.add("");

        List<String> hot = new ArrayList<>();
        List<String> heldOpen = new ArrayList<>(); // hot, with more of its ports in open connections than in TIME_WAIT
        boolean loopbackHot = false;
        if (!table.available()) {
            out.add("Right now: cannot read /proc/net/tcp or /proc/net/tcp6, so what the kernel holds is unknown.");
        } else {
            int total = table.timeWaitTotal();
            out.add(String.format(Locale.ROOT, "Right now: %d sockets in TIME_WAIT host-wide%s", total,
                    k.tcpMaxTwBuckets() > 0 ? String.format(Locale.ROOT, " (%d%% of tcp_max_tw_buckets=%d)",
                            Math.round(100.0 * total / k.tcpMaxTwBuckets()), k.tcpMaxTwBuckets()) : ""));
            if (table.inboundTimeWait() > 0) {
                out.add(String.format(Locale.ROOT, "  %d of them are on ports this host listens on: its servers closed"
                        + " first; they hold no source port of the range and are not listed below",
                        table.inboundTimeWait()));
            }
            if (k.tcpMaxTwBuckets() > 0 && total >= k.tcpMaxTwBuckets()) {
                out.add("  The bucket table is full: the kernel is destroying new TIME_WAIT sockets at once"
                        + " (dmesg: \"time wait bucket table overflow\"); ports come back early, without TIME_WAIT's"
                        + " protection.");
            }
            List<String> labels = table.topByHeld(top);
            if (labels.isEmpty()) {
                out.add("  no outbound connection holds a source port");
            } else {
                out.add(String.format(Locale.ROOT, "  %-44s %9s %11s %10s %6s %6s  %s", "DESTINATION", "TIME_WAIT",
                        "ESTABLISHED", "CLOSE_WAIT", "HELD", "SHARE", "STATUS"));
                for (String label : labels) {
                    int held = table.held(label);
                    double share = (double) held / capacity;
                    String status = share >= EXHAUSTED_SHARE ? "exhausted" : share >= criticalRatio ? "critical"
                            : share >= warnRatio ? "high" : "ok";
                    if (share >= criticalRatio) {
                        critical.add(label);
                    }
                    if (share >= warnRatio) {
                        hot.add(label);
                        loopbackHot |= isLoopback(label);
                        if (table.established(label) > table.timeWait(label)) {
                            heldOpen.add(label);
                        }
                    }
                    out.add(String.format(Locale.ROOT, "  %-44s %9d %11d %10d %6d %5d%%  %s", label,
                            table.timeWait(label), table.established(label), table.closeWait(label), held,
                            Math.round(share * 100), status));
                }
                out.add("  (HELD counts every socket towards the destination but listeners: its ports in use;"
                        + " SHARE = HELD / " + capacity + ")");
            }
        }
        out.add("");
        closeWait(out, table, top);
        ConntrackProjection ct = conntrack(out, conntrack, table, warnRatio, criticalRatio);
        if (ct != null && (double) ct.count() / ct.max() >= criticalRatio) {
            critical.add("conntrack");
        }
        walls(out, table, capacity, ct, conntrack != null);
        out.add("");
        recommendations(out, k, hot, heldOpen, loopbackHot);
        out.add("");
        if (!table.available()) {
            out.add("Verdict: unknown (no socket table)");
        } else if (critical.isEmpty()) {
            out.add(String.format(Locale.ROOT, "Verdict: ok, no destination holds %d%% (critical ratio) of its ports",
                    Math.round(criticalRatio * 100)));
        } else {
            out.add(String.format(Locale.ROOT, "Verdict: %d destination(s) at or above %d%% of their ports: %s",
                    critical.size(), Math.round(criticalRatio * 100), String.join(", ", critical)));
        }
        return new DoctorReport(List.copyOf(out), List.copyOf(critical), table.available());
    }

    /** The CLOSE_WAIT section: leaked connections per destination, or that there are none; nothing without a table. */
    private static void closeWait(List<String> out, TcpSocketTable table, int top) {
        if (!table.available()) {
            return;
        }
        out.add(String.format(Locale.ROOT, "CLOSE_WAIT (leaked connections: the peer closed, a process here never did):"
                + " %d host-wide", table.closeWaitTotal()));
        List<String> labels = table.topByCloseWait(top);
        if (labels.isEmpty()) {
            out.add("  none: every connection the peers closed was closed here too");
        } else {
            for (String label : labels) {
                out.add(String.format(Locale.ROOT, "  %-44s %6d in CLOSE_WAIT: a leak, each holds an fd and a source"
                        + " port until its owner calls close()", label, table.closeWait(label)));
            }
        }
        out.add("");
    }

    /**
     * The conntrack section; returns the projection when the table is loaded, else null. The rate is this
     * host's TIME_WAIT over 60 s: what closed here first in the last minute, a lower bound on its new connections.
     */
    private static ConntrackProjection conntrack(List<String> out, Conntrack c, TcpSocketTable table,
                                                 double warnRatio, double criticalRatio) {
        if (c == null) {
            return null;
        }
        if (c.state() == Conntrack.State.NOT_LOADED) {
            out.add("conntrack: not loaded in this network namespace (no /proc/sys/net/netfilter/nf_conntrack_count):"
                    + " no conntrack wall here");
            out.add("");
            return null;
        }
        if (c.state() == Conntrack.State.UNREADABLE) {
            out.add("conntrack: unknown, " + c.problem());
            out.add("");
            return null;
        }
        double closesPerSecond = table.available() ? table.timeWaitTotal() / 60.0 : 0;
        ConntrackProjection p = new ConntrackProjection(c.count(), c.max(), c.timeWaitSeconds(), closesPerSecond,
                new ModelSettings(1, warnRatio, criticalRatio, 1, 1));
        out.add("conntrack (netfilter's connection table: every tracked flow, closed TCP flows for"
                + " nf_conntrack_tcp_timeout_time_wait)");
        row(out, "nf_conntrack_count", String.format(Locale.ROOT, "%d of nf_conntrack_max=%d (%d%%)", c.count(), c.max(),
                Math.round(100.0 * c.count() / c.max())));
        row(out, "tcp_timeout_time_wait", c.timeWaitSeconds() + " s" + (c.timeWaitRead() ? "" : " (not readable: the"
                + " kernel's default)") + ": how long a closed TCP flow stays in the table, twice TIME_WAIT's 60 s");
        row(out, "projected", String.format(Locale.ROOT, "%d (%d%%) if this host goes on closing %s connections/s"
                        + " (TIME_WAIT host-wide / 60 s): count + rate x %d s", p.projected(), Math.round(p.ratio() * 100),
                io.churnagent.log.Logfmt.decimal(closesPerSecond, 1), c.timeWaitSeconds()));
        if (c.count() >= c.max()) {
            out.add("  The table is full: the kernel drops new connections' packets (dmesg: \"nf_conntrack: table full,"
                    + " dropping packet\"); connects time out.");
        }
        out.add("");
        return p;
    }

    /** The walls, nearest first, each with what fills it and the fix; CLOSE_WAIT named as a leak. */
    private static void walls(List<String> out, TcpSocketTable table, int capacity, ConntrackProjection ct,
                              boolean conntrackLooked) {
        out.add("Walls, nearest first");
        List<String[]> walls = new ArrayList<>(); // {name, line}
        List<Double> ratios = new ArrayList<>();
        if (table.available()) {
            List<String> worst = table.topByHeld(1);
            double share = worst.isEmpty() ? 0 : (double) table.held(worst.get(0)) / capacity;
            ratios.add(share);
            walls.add(new String[] {"ports", String.format(Locale.ROOT, "source ports: %d%% of %d%s (filled by open"
                    + " connections and TIME_WAIT, 60 s after each close this side makes first). Fix: reuse"
                    + " connections (one pooled keep-alive client); then tcp_tw_reuse=1, a wider ip_local_port_range",
                    Math.round(share * 100), capacity, worst.isEmpty() ? "" : " towards " + worst.get(0))});
        }
        if (ct != null) {
            ratios.add(ct.ratio());
            walls.add(new String[] {"conntrack", String.format(Locale.ROOT, "conntrack: %d%% projected (%d%% now) of"
                    + " nf_conntrack_max=%d (filled by every flow, closed TCP ones for %d s; full means \"nf_conntrack:"
                    + " table full, dropping packet\" for every pod of the node). Fix: reuse connections; raise"
                    + " net.netfilter.nf_conntrack_max; lower net.netfilter.nf_conntrack_tcp_timeout_time_wait",
                    Math.round(ct.ratio() * 100), Math.round(100.0 * ct.count() / ct.max()), ct.max(), ct.timeWaitSeconds())});
        }
        Integer[] order = new Integer[walls.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(ratios.get(b), ratios.get(a)));
        int n = 0;
        for (int i : order) {
            out.add("  " + (++n) + ". " + walls.get(i)[1] + ".");
        }
        if (table.available() && table.closeWaitTotal() > 0) {
            out.add(String.format(Locale.ROOT, "  %d. CLOSE_WAIT: %d leaked connections (the peer closed, a process here"
                    + " never did; a count, it only grows, holding fds and source ports). Fix: close every connection,"
                    + " response and client you open, also on error paths.", ++n, table.closeWaitTotal()));
        }
        if (conntrackLooked && ct == null) {
            out.add("  (conntrack: not counted, see above)");
        }
        if (n == 0) {
            out.add("  unknown: neither the socket table nor conntrack could be read");
        } else if (order.length > 0) {
            out.add("  Comes first: " + walls.get(order[0])[0] + ".");
        }
    }

    private static void recommendations(List<String> out, KernelSettings k, List<String> hot, List<String> heldOpen,
            boolean loopbackHot) {
        out.add("Recommendations, in this order");
        List<String> r = new ArrayList<>();
        r.add("Fix the code first" + (hot.isEmpty() ? "" : " (" + String.join(", ", hot) + ")") + ": create one"
                + " long-lived client (a pooled, keep-alive HTTP client; a connection pool for a database) at startup"
                + " and share it, instead of a new client or connection per request. Run the service with"
                + " -javaagent:churn-agent.jar, or 'java -jar churn-agent.jar attach <pid>', to see which destination"
                + " churns and the call sites that open its connections.");
        if (!heldOpen.isEmpty()) {
            r.add("Open connections, not TIME_WAIT, hold most ports of " + String.join(", ", heldOpen) + ": something"
                    + " opens connections and does not close them (clients dropped without close(), a pool with no"
                    + " bound). Close each client you create, or share one; until then tcp_tw_reuse and a wider range"
                    + " only delay the failure, since no port of an open connection is ever reused.");
        }
        r.add("Keep connections alive on the server side too: a server that answers \"Connection: close\" closes first,"
                + " and the TIME_WAIT lands on it instead.");
        if (k.tcpTimestamps() == 0) {
            r.add("net.ipv4.tcp_timestamps=1: TIME_WAIT reuse needs TCP timestamps (on by default).");
        }
        if (k.tcpTwReuse() != 1) {
            r.add("net.ipv4.tcp_tw_reuse=1 (now " + (k.tcpTwReuse() < 0 ? "unknown" : k.tcpTwReuse()) + "): a new"
                    + " outbound connect may take over a port in TIME_WAIT once it is "
                    + (k.tcpTwReuseDelayMillis() < 0 ? "1 s" : k.tcpTwReuseDelayMillis() + " ms") + " old, when"
                    + " timestamps show it is safe; it concerns outbound connections only. The default 2 does this"
                    + " for loopback only" + (loopbackHot ? " (which is why a loopback destination survives here)" : "")
                    + ".");
        }
        PortRange range = k.portRange();
        if (range.size() < 50_000) {
            r.add("Widen net.ipv4.ip_local_port_range (for example \"10000 65535\": 55536 ports per destination, now "
                    + range.capacity() + ") and list the ports your servers listen on in"
                    + " net.ipv4.ip_local_reserved_ports so that connect() never takes them.");
        }
        r.add("More addresses: the limit is per (local IP, remote IP, remote port), so more backend IPs or ports, or"
                + " more local IPs used by the client, multiply it.");
        r.add("Do not: lower tcp_fin_timeout (it does not touch TIME_WAIT); set tcp_tw_recycle (removed in Linux 4.12,"
                + " it broke clients behind NAT); lower tcp_max_tw_buckets to make TIME_WAIT vanish (the kernel then"
                + " destroys TIME_WAIT sockets early, dropping their protection); close with SO_LINGER 0 (a reset"
                + " instead of a close, which can lose data).");
        for (int i = 0; i < r.size(); i++) {
            out.add("  " + (i + 1) + ". " + r.get(i));
        }
    }

    private static String reuseMeaning(int reuse) {
        switch (reuse) {
            case 0:
                return "off: no new connection takes over a TIME_WAIT port";
            case 1:
                return "new outbound connections may take over TIME_WAIT ports (needs tcp_timestamps)";
            case 2:
                return "the same, for loopback connections only (the default)";
            default:
                return "a value this tool does not know";
        }
    }

    private static void row(List<String> out, String name, String value) {
        out.add(String.format(Locale.ROOT, "  %-24s %s", name, value));
    }

    private static boolean isLoopback(String label) {
        return label.startsWith("127.") || label.startsWith("[0:0:0:0:0:0:0:1]");
    }
}
