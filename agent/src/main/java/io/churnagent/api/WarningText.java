package io.churnagent.api;

import io.churnagent.churn.WarningLevel;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.PortRange;
import io.churnagent.log.LogEvent;
import io.churnagent.report.ChurnLogFormat;
import io.churnagent.report.ClientSiteFormat;

import java.nio.file.Paths;

/**
 * The agent's own words, for code that reports churn in the agent's format (the JUnit extension's
 * failure messages): its warning lines, the client-per-request warning, its fixes; stateless.
 */
public final class WarningText {

    /** The level name of a warning, as every output of the agent writes it. */
    public static final String WARN = WarningLevel.WARN.label();

    /** The level name of a critical warning, as every output of the agent writes it. */
    public static final String CRITICAL = WarningLevel.CRITICAL.label();

    private WarningText() {
    }

    /** The agent's {@code event=client_per_request} warning for {@code built} clients built at {@code site}. */
    public static String clientPerRequest(String family, CallSite site, String handler, long built) {
        return ClientSiteFormat.clientPerRequest(family, site.site(), handler, site.frames(), site.omitted(),
                built, built, 0, -1).toString();
    }

    /** {@code Fix: ...} for clients of {@code family}, or the agent's general fix when {@code family} is null. */
    public static String fix(String family) {
        return family == null ? ChurnLogFormat.genericFix() : "Fix: " + ClientSiteFormat.fix(family);
    }

    /** The ephemeral ports this host has for one destination ({@code ip_local_port_range}, less reserved ones). */
    public static int ephemeralPorts() {
        try {
            return KernelSettings.read(Paths.get("/proc")).portRange().size();
        } catch (RuntimeException e) {
            return PortRange.defaults().size();
        }
    }

    /** A warning line in the agent's format: {@code event=...} and fields, then sentences below it. */
    public static Line line(String event) {
        return new Line(LogEvent.of(event));
    }

    /** One line being built; {@link #toString} renders it. Not thread-safe. */
    public static final class Line {
        private final LogEvent event;

        private Line(LogEvent event) {
            this.event = event;
        }

        public Line add(String key, String value) {
            event.add(key, value);
            return this;
        }

        public Line add(String key, long value) {
            event.add(key, value);
            return this;
        }

        public Line add(String key, double value, int decimals) {
            event.add(key, value, decimals);
            return this;
        }

        /** A sentence below the line. */
        public Line explain(String sentence) {
            event.explain(sentence);
            return this;
        }

        /** The site's frames below the line, as under the agent's warnings. */
        public Line frames(CallSite site) {
            ClientSiteFormat.frames(event, site.frames(), site.omitted());
            return this;
        }

        @Override
        public String toString() {
            return event.toString();
        }
    }
}
