package io.churnagent.junit;

import io.churnagent.api.WarningText;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The texts a failed churn check fails with: a first line saying which check failed, then the
 * agent's own warning for it (a logfmt line, the explanation, the sites with their stacks, the
 * fix); stateless. Each method returns null when the check passes.
 */
final class ChurnFailures {

    /** Sites shown per failure, as under the agent's warnings. */
    static final int SITES_SHOWN = 3;
    private static final String LINE = System.lineSeparator();
    private static final long TIME_WAIT_SECONDS = 60;

    private ChurnFailures() {
    }

    static String clientPerRequest(Scope scope) {
        List<Scope.Built> inHandlers = new ArrayList<>();
        long total = 0;
        for (Scope.Built b : scope.built.values()) {
            if (b.handler != null) {
                inHandlers.add(b);
                total += b.count.sum();
            }
        }
        if (inHandlers.isEmpty()) {
            return null;
        }
        inHandlers.sort(Comparator.comparingLong((Scope.Built b) -> b.count.sum()).reversed());
        StringBuilder text = new StringBuilder(scope.name).append(": ").append(total)
                .append(total == 1 ? " client" : " clients").append(" built inside request handlers at ")
                .append(inHandlers.size()).append(inHandlers.size() == 1 ? " site" : " sites")
                .append(" (@NoClientPerRequest)");
        for (int i = 0; i < Math.min(SITES_SHOWN, inHandlers.size()); i++) {
            Scope.Built b = inHandlers.get(i);
            long n = b.count.sum();
            text.append(LINE);
            if (b.stack != null && b.stack.site() != null) {
                text.append(WarningText.clientPerRequest(b.family, b.stack, b.handler, n));
            } else {
                text.append(WarningText.line("client_per_request").add("level", WarningText.WARN)
                        .add("family", b.family).add("site", b.site).add("handler", b.handler)
                        .add("built_total", n).explain(WarningText.fix(b.family)));
            }
        }
        if (inHandlers.size() > SITES_SHOWN) {
            text.append(LINE).append("... and ").append(inHandlers.size() - SITES_SHOWN).append(" more sites");
        }
        return text.toString();
    }

    static String maxConnections(Scope scope, long max, String hostPort) {
        long n = new ChurnCheck(scope).connectionsTo(hostPort);
        if (n <= max) {
            return null;
        }
        String what = hostPort.isEmpty() ? "all destinations" : hostPort;
        StringBuilder text = new StringBuilder(scope.name).append(": ").append(n).append(" connections to ")
                .append(what).append(", at most ").append(max).append(" allowed (@MaxConnections")
                .append(hostPort.isEmpty() ? "" : "(to = \"" + hostPort + "\")").append(')');
        appendDestinations(text, scope, hostPort, "max", Long.toString(max));
        return text.toString();
    }

    static String budget(Scope scope, long requests, double budget, String hostPort) {
        long n = new ChurnCheck(scope).connectionsTo(hostPort);
        String what = hostPort.isEmpty() ? "" : " to " + hostPort;
        if (requests == 0) {
            return scope.name + ": a budget of " + format(budget) + " connections" + what + " per request, but no "
                    + "request was served by a handler in this JVM during the test (" + n + " connections" + what
                    + "); declare the requests the test sent with ChurnCheck.requestsSent(n)";
        }
        double perRequest = (double) n / requests;
        if (perRequest <= budget) {
            return null;
        }
        StringBuilder text = new StringBuilder(scope.name).append(": ").append(format(perRequest))
                .append(" connections").append(what).append(" per request (").append(n).append(" for ")
                .append(requests).append(" requests), the budget is ").append(format(budget))
                .append(" (@ChurnBudget); a client per request opens about one per request, a shared one a few in all");
        appendDestinations(text, scope, hostPort, "connections_per_request_budget", format(budget));
        return text.toString();
    }

    /** The agent's warning for each destination that matches, busiest first (at most {@link #SITES_SHOWN}). */
    private static void appendDestinations(StringBuilder text, Scope scope, String hostPort, String limitKey,
                                           String limit) {
        List<Scope.Destination> matching = new ArrayList<>();
        for (Scope.Destination d : scope.destinations.values()) {
            if (d.matches(hostPort) && d.connects.sum() > 0) {
                matching.add(d);
            }
        }
        matching.sort(Comparator.comparingLong((Scope.Destination d) -> d.connects.sum()).reversed());
        int ports = portRange();
        double seconds = scope.seconds();
        for (int i = 0; i < Math.min(SITES_SHOWN, matching.size()); i++) {
            Scope.Destination d = matching.get(i);
            long connects = d.connects.sum();
            long closes = d.closes.sum();
            double rate = connects / seconds;
            WarningText.Line warning = WarningText.line("churn_warning")
                    .add("level", WarningText.CRITICAL)
                    .add("destination", d.label)
                    .add("host", d.host)
                    .add("connections", connects)
                    .add("closes", closes)
                    .add(limitKey, limit)
                    .add("seconds", seconds, 2)
                    .add("connects_per_s", rate, 1)
                    .add("ephemeral_ports", ports)
                    .add("test", scope.name);
            warning.explain(String.format(Locale.ROOT,
                    "This test opened %d connections to %s in %.2f s (%.1f/s) and closed %d. Each connection this "
                            + "side closes holds its local port in TIME_WAIT for %d s: at this rate %,.0f ports to %s "
                            + "would be in TIME_WAIT at once, %.0f %% of the %,d ephemeral ports a host has for one "
                            + "destination; past 100 %% connects fail with EADDRNOTAVAIL.",
                    connects, d.label, seconds, rate, closes, TIME_WAIT_SECONDS, rate * TIME_WAIT_SECONDS, d.label,
                    100.0 * rate * TIME_WAIT_SECONDS / ports, ports));
            List<Scope.ConnectSite> sites = new ArrayList<>(d.sites.values());
            sites.sort(Comparator.comparingLong((Scope.ConnectSite s) -> s.count.sum()).reversed());
            if (sites.isEmpty()) {
                warning.explain("No application frame was on the connects' stacks.");
            }
            for (int k = 0; k < Math.min(SITES_SHOWN, sites.size()); k++) {
                Scope.ConnectSite s = sites.get(k);
                warning.explain(s.count.sum() + " opened at " + s.stack.site() + ":");
                warning.frames(s.stack);
            }
            text.append(LINE).append(warning.explain(fix(scope)));
        }
        if (matching.size() > SITES_SHOWN) {
            text.append(LINE).append("... and ").append(matching.size() - SITES_SHOWN).append(" more destinations");
        }
    }

    /** The fix for the family built most often in the test, else the agent's general one. */
    private static String fix(Scope scope) {
        Scope.Built most = null;
        for (Scope.Built b : scope.built.values()) {
            if (most == null || b.count.sum() > most.count.sum()) {
                most = b;
            }
        }
        return WarningText.fix(most == null ? null : most.family);
    }

    private static int portRange() {
        return WarningText.ephemeralPorts();
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
