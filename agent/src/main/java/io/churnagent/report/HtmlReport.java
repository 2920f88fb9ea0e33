package io.churnagent.report;

import io.churnagent.log.IsoTime;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.DestinationSites;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.TrimmedStack;
import io.churnagent.churn.DestinationStats;

import java.util.List;

/**
 * Renders the churn report as one self-contained HTML page: inline CSS ({@link HtmlReportCss}) and
 * inline SVG ({@link HtmlReportCharts}), no script, no reference to anything outside the page (no
 * network, no external font); a pure function of its arguments, stateless and thread-safe.
 *
 * <p>Per top destination: its verdict's level and current figures, its charts, and its sampled call
 * sites with their stacks. Every piece of text that comes from outside the agent (destination labels,
 * host names, class names, stacks) goes through {@link #escape}. Written with loops and a
 * StringBuilder, no lambda or stream: it first runs long after start-up (see {@link FirstUse}).
 */
public final class HtmlReport {

    /** Call sites shown per destination (as under a warning). */
    static final int SITES_SHOWN = ChurnLogFormat.SITES_SHOWN;

    private HtmlReport() {
    }

    /** What the page says about the JVM and the model it reports; immutable. */
    public static final class Header {
        final String version;
        final String jvm;
        final long generatedAtMillis;
        final double warnRatio;
        final double criticalRatio;
        final String reason;

        /**
         * @param jvm    a description of the JVM (pid and command), shown as text
         * @param reason {@code live} (asked for while the JVM runs) or {@code exit} (written at JVM exit)
         */
        public Header(String version, String jvm, long generatedAtMillis, double warnRatio, double criticalRatio,
                      String reason) {
            this.version = version;
            this.jvm = jvm;
            this.generatedAtMillis = generatedAtMillis;
            this.warnRatio = warnRatio;
            this.criticalRatio = criticalRatio;
            this.reason = reason;
        }
    }

    /**
     * The page.
     *
     * @param verdicts every destination's verdict, most churning first ({@code Reporter.latest()})
     * @param sites   the sampled call sites, or null for none
     * @param top     how many destinations to show (at most {@link ChurnHistory#MAX_DESTINATIONS})
     */
    public static String render(Header header, ChurnHistory.Snapshot history, List<DestinationVerdict> verdicts,
                                DestinationSites sites, int top) {
        int shown = Math.min(verdicts.size(), Math.max(1, Math.min(top, ChurnHistory.MAX_DESTINATIONS)));
        StringBuilder out = new StringBuilder(8_192 + shown * 12_288);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"generator\" content=\"Churn Agent ").append(escape(header.version)).append("\">\n")
                .append("<title>Churn report: ").append(escape(header.jvm)).append("</title>\n<style>")
                .append(HtmlReportCss.CSS).append("</style>\n</head>\n<body>\n");
        out.append("<h1>Churn Agent report</h1>\n<p class=\"meta\">");
        out.append(escape(header.jvm)).append(" &middot; ");
        IsoTime.appendUtc(header.generatedAtMillis, out);
        out.append(" (").append("exit".equals(header.reason) ? "at JVM exit" : "live").append(") &middot; Churn Agent ")
                .append(escape(header.version)).append("</p>\n");
        out.append("<p class=\"note\">Per destination: connections opened and closed per second, and the ports in "
                + "TIME_WAIT: <b>projected</b> (close rate &times; the binding limit's TIME_WAIT hold: 60 s on this host, the "
                + "egress hop's own when egress= names a tighter one; what a remote destination settles at when this "
                + "side closes first) against the kernel's <b>observed</b> count (from /proc/net/tcp, known when the agent "
                + "had read it: it does while a destination is at warn level) and the destination's <b>capacity</b> "
                + "(the red line: source ports available to one destination). Samples every ")
                .append(ChurnHistory.SAMPLE_MILLIS / 1000).append(" s, for the last ")
                .append(ChurnHistory.SAMPLES * ChurnHistory.SAMPLE_MILLIS / 60_000).append(" minutes. Warn at ")
                .append(percent(header.warnRatio)).append(" of capacity, critical at ")
                .append(percent(header.criticalRatio)).append(" (projected load: TIME_WAIT plus open connections).</p>\n");
        if (shown == 0) {
            out.append("<p class=\"none\">No destination seen yet: no outbound connection was counted.</p>\n");
            return out.append("</body>\n</html>\n").toString();
        }
        summary(out, verdicts, shown);
        for (int i = 0; i < shown; i++) {
            DestinationVerdict v = verdicts.get(i);
            destination(out, i + 1, v, history.of(v.destination()), sites);
        }
        return out.append("</body>\n</html>\n").toString();
    }

    private static void summary(StringBuilder out, List<DestinationVerdict> verdicts, int shown) {
        out.append("<table class=\"summary\">\n<tr><th>#</th><th>destination</th><th>host</th><th>level</th>"
                + "<th>connects/s</th><th>closes/s</th><th>projected load</th><th>capacity</th><th>ratio</th></tr>\n");
        for (int i = 0; i < shown; i++) {
            DestinationVerdict v = verdicts.get(i);
            DestinationFigures f = v.figures();
            DestinationStats d = f.destination();
            out.append("<tr><td>").append(i + 1).append("</td><td><a href=\"#d").append(i + 1).append("\">")
                    .append(escape(d.label())).append("</a></td><td>").append(escape(d.host())).append("</td><td>")
                    .append(v.level().label()).append("</td><td>").append(oneDecimal(f.connectsPerSecond()))
                    .append("</td><td>").append(oneDecimal(f.closesPerSecond())).append("</td><td>")
                    .append(f.projectedLoad()).append("</td><td>").append(f.capacity()).append("</td><td>")
                    .append(percent(f.ratio())).append("</td></tr>\n");
        }
        out.append("</table>\n");
        if (verdicts.size() > shown) {
            out.append("<p class=\"meta\">").append(verdicts.size() - shown)
                    .append(" less churning destinations not shown.</p>\n");
        }
    }

    private static void destination(StringBuilder out, int rank, DestinationVerdict v, ChurnHistory.Series series,
                                    DestinationSites sites) {
        DestinationFigures f = v.figures();
        DestinationStats d = f.destination();
        String level = v.level().label();
        out.append("<section class=\"dest\" id=\"d").append(rank).append("\">\n<h2>").append(rank).append(". ")
                .append(escape(d.label())).append(" <span class=\"host\">(").append(escape(d.host())).append(")</span>")
                .append("<span class=\"level ").append(level).append("\">").append(level).append("</span></h2>\n");
        int observedNow = series == null ? ChurnHistory.UNKNOWN : lastKnownObserved(series);
        out.append("<table class=\"figures\"><tr>");
        figure(out, "connects/s", oneDecimal(f.connectsPerSecond()));
        figure(out, "closes/s", oneDecimal(f.closesPerSecond()));
        figure(out, "open", Long.toString(f.open()));
        figure(out, "closes in 60 s", Long.toString(f.closesLast60s()));
        figure(out, "projected TIME_WAIT", Long.toString(f.projectedTimeWait()));
        figure(out, "observed TIME_WAIT, last read", observedNow < 0 ? "unknown" : Integer.toString(observedNow));
        int closeWait = series == null ? ChurnHistory.UNKNOWN : series.observedCloseWait();
        figure(out, "observed CLOSE_WAIT (leak), last read", closeWait < 0 ? "unknown" : Integer.toString(closeWait));
        out.append("</tr><tr>");
        figure(out, "projected load", Long.toString(f.projectedLoad()));
        figure(out, "capacity", Integer.toString(f.capacity()));
        figure(out, "binding limit", f.limit().name() + ", " + f.limit().timeWaitSeconds() + " s hold");
        figure(out, "ratio", percent(f.ratio()));
        figure(out, "ports run out in", f.exhaustionInSeconds() < 0 ? "never at these rates"
                : ChurnLogFormat.exhaustion(f.exhaustionInSeconds()) + " s");
        figure(out, "connects / closes", f.connects() + " / " + f.closes());
        figure(out, "failed connects", Long.toString(f.failures()));
        out.append("</tr></table>\n");
        if (series == null || series.size() == 0) {
            out.append("<p class=\"none\">No history yet for this destination (it is sampled every ")
                    .append(ChurnHistory.SAMPLE_MILLIS / 1000).append(" s while among the top ")
                    .append(ChurnHistory.MAX_DESTINATIONS).append(").</p>\n");
        } else {
            out.append("<div class=\"charts\">\n");
            HtmlReportCharts.rates(out, series);
            HtmlReportCharts.ports(out, series, f.capacity());
            out.append("</div>\n<p class=\"meta\">");
            timeRange(out, series);
            out.append("</p>\n");
        }
        sitesSection(out, d, sites);
        out.append("</section>\n");
    }

    private static void figure(StringBuilder out, String name, String value) {
        out.append("<td>").append(name).append(" <span class=\"v\">").append(escape(value)).append("</span></td>");
    }

    private static int lastKnownObserved(ChurnHistory.Series s) {
        for (int i = s.size() - 1; i >= 0; i--) {
            if (s.observedTimeWait(i) >= 0) {
                return s.observedTimeWait(i);
            }
        }
        return ChurnHistory.UNKNOWN;
    }

    private static void timeRange(StringBuilder out, ChurnHistory.Series s) {
        out.append(s.size()).append(s.size() == 1 ? " sample" : " samples").append(", ");
        IsoTime.appendUtc(s.timeMillis(0), out);
        out.append(" to ");
        IsoTime.appendUtc(s.timeMillis(s.size() - 1), out);
        out.append("; the time axis counts back from the last sample (minutes:seconds).");
    }

    private static void sitesSection(StringBuilder out, DestinationStats d, DestinationSites sites) {
        out.append("<h3>Call sites (sampled connects)</h3>\n");
        List<DestinationSites.SiteSamples> top = sites == null || d.isOverflow() ? List.of() : sites.top(d, SITES_SHOWN);
        if (top.isEmpty()) {
            out.append("<p class=\"none\">No call site sampled yet (the connections were opened on a client's own "
                    + "I/O threads, or before one was sampled).</p>\n");
            return;
        }
        for (DestinationSites.SiteSamples s : top) {
            TrimmedStack stack = s.stack();
            out.append("<div class=\"site\"><div class=\"sitehead\">").append(escape(stack.site())).append(" &mdash; ")
                    .append(s.samples()).append(s.samples() == 1 ? " sample" : " samples")
                    .append("; outermost application frame ").append(escape(stack.handlerFrame())).append("</div>\n<pre>");
            for (String frame : stack.frames()) {
                out.append("at ").append(escape(frame)).append('\n');
            }
            if (stack.omitted() > 0) {
                out.append("... ").append(stack.omitted()).append(" more frames\n");
            }
            out.append("</pre></div>\n");
        }
    }

    private static String percent(double ratio) {
        return Math.round(ratio * 100) + "%";
    }

    private static String oneDecimal(double v) {
        return SvgChart.oneDecimal(v);
    }

    /**
     * {@code text} safe anywhere in HTML text or a quoted attribute: {@code & < > " '} as entities, and
     * {@code /} too (so that no text, whatever it says, can read as a URL such as {@code http://...} or
     * close an element); control characters other than tab and newline, and lone surrogates, become
     * U+FFFD. Null is {@code null}.
     */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = null;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            String replacement;
            switch (c) {
                case '&':
                    replacement = "&amp;";
                    break;
                case '<':
                    replacement = "&lt;";
                    break;
                case '>':
                    replacement = "&gt;";
                    break;
                case '"':
                    replacement = "&quot;";
                    break;
                case '\'':
                    replacement = "&#39;";
                    break;
                case '/':
                    replacement = "&#47;";
                    break;
                default:
                    replacement = null;
                    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                        replacement = "\uFFFD";
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                            if (out != null) {
                                out.append(c).append(text.charAt(i + 1));
                            }
                            i++;
                            continue;
                        }
                        replacement = "\uFFFD";
                    } else if (Character.isLowSurrogate(c)) {
                        replacement = "\uFFFD";
                    }
            }
            if (replacement != null) {
                if (out == null) {
                    out = new StringBuilder(n + 16).append(text, 0, i);
                }
                out.append(replacement);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
