package io.churnagent.report;

import io.churnagent.log.IsoTime;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.DestinationSites;
import io.churnagent.churn.TrimmedStack;
import io.churnagent.churn.DestinationStats;

import java.util.List;

/**
 * Renders the churn report as one self-contained HTML page: inline CSS and inline SVG, no script, no
 * reference to anything outside the page (no network, no external font); a pure function of its
 * arguments, stateless and thread-safe.
 *
 * <p>Per top destination: its current figures, connects/s and closes/s over time, the projected
 * TIME_WAIT against the kernel's observed TIME_WAIT (where known) and the capacity (a solid red
 * horizontal line, {@link #CAPACITY_COLOUR}), and its sampled call sites with their stacks. Every
 * piece of text that comes from outside the agent (destination labels, host names, class names,
 * stacks) goes through {@link #escape}. Written with loops and a StringBuilder, no lambda or stream:
 * it first runs long after start-up (see {@link FirstUse}).
 */
public final class HtmlReport {

    /** The capacity line's colour: solid, drawn without anti-aliasing (a test looks for it in a screenshot). */
    public static final String CAPACITY_COLOUR = "#e0001b";
    public static final String CONNECTS_COLOUR = "#1e88e5";
    public static final String CLOSES_COLOUR = "#f57c00";
    public static final String PROJECTED_COLOUR = "#7b1fa2";
    public static final String OBSERVED_COLOUR = "#2e7d32";

    /** Call sites shown per destination (as under a warning). */
    static final int SITES_SHOWN = ChurnLogFormat.SITES_SHOWN;

    private static final int CHART_WIDTH = 540;
    private static final int CHART_HEIGHT = 250;
    private static final int LEFT = 58;
    private static final int RIGHT = 92;
    private static final int TOP = 34;
    private static final int BOTTOM = 40;
    /** A history shorter than this is drawn on an axis this long, its samples at the right. */
    private static final long MIN_SPAN_MILLIS = 30_000;

    private static final String CSS = ""
            + "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;margin:18px 28px;color:#1b1b1b;background:#fff;"
            + "font-size:14px}"
            + "h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:0 0 8px}h3{font-size:14px;margin:14px 0 6px}"
            + ".meta{color:#555;margin:0 0 10px}.note{color:#444;max-width:1100px;margin:6px 0}"
            + "section.dest{border-top:2px solid #ccc;padding:14px 0 8px;margin-top:12px}"
            + ".host{color:#555;font-weight:normal}"
            + ".level{font-size:12px;font-weight:bold;padding:2px 8px;border-radius:9px;margin-left:8px;vertical-align:middle}"
            + ".level.none{background:#e8f5e9;color:#1b5e20}.level.warn{background:#fff3cd;color:#7a5200}"
            + ".level.critical{background:#fbe0e0;color:#8a1010}"
            + "table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px 3px 0;text-align:left}"
            + "table.figures td{padding-right:18px}table.figures .v{font-weight:bold;font-family:'DejaVu Sans Mono',monospace}"
            + "table.summary th{border-bottom:1px solid #bbb}table.summary td{font-family:'DejaVu Sans Mono',monospace}"
            + ".charts{display:flex;flex-wrap:wrap;gap:12px;margin:10px 0}"
            + "svg{background:#fcfcfc;border:1px solid #ddd}svg text{font-size:11px;fill:#333}"
            + "svg text.title{font-size:13px;font-weight:bold}"
            + ".site{margin:6px 0 10px}.sitehead{font-family:'DejaVu Sans Mono',monospace;font-size:13px}"
            + "pre{margin:4px 0 0 16px;font-size:12px;color:#333;white-space:pre-wrap}"
            + ".none{color:#666;font-style:italic}";

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
     * @param figures every destination's figures, most churning first ({@code ChurnMonitor.latest()})
     * @param sites   the sampled call sites, or null for none
     * @param top     how many destinations to show (at most {@link ChurnHistory#MAX_DESTINATIONS})
     */
    public static String render(Header header, ChurnHistory.Snapshot history, List<DestinationFigures> figures,
                                DestinationSites sites, int top) {
        int shown = Math.min(figures.size(), Math.max(1, Math.min(top, ChurnHistory.MAX_DESTINATIONS)));
        StringBuilder out = new StringBuilder(8_192 + shown * 12_288);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"generator\" content=\"Churn Agent ").append(escape(header.version)).append("\">\n")
                .append("<title>Churn report: ").append(escape(header.jvm)).append("</title>\n<style>")
                .append(CSS).append("</style>\n</head>\n<body>\n");
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
        summary(out, header, figures, shown);
        for (int i = 0; i < shown; i++) {
            DestinationFigures f = figures.get(i);
            destination(out, header, i + 1, f, history.of(f.destination()), sites);
        }
        return out.append("</body>\n</html>\n").toString();
    }

    private static void summary(StringBuilder out, Header header, List<DestinationFigures> figures, int shown) {
        out.append("<table class=\"summary\">\n<tr><th>#</th><th>destination</th><th>host</th><th>level</th>"
                + "<th>connects/s</th><th>closes/s</th><th>projected load</th><th>capacity</th><th>ratio</th></tr>\n");
        for (int i = 0; i < shown; i++) {
            DestinationFigures f = figures.get(i);
            DestinationStats d = f.destination();
            out.append("<tr><td>").append(i + 1).append("</td><td><a href=\"#d").append(i + 1).append("\">")
                    .append(escape(d.label())).append("</a></td><td>").append(escape(d.host())).append("</td><td>")
                    .append(levelName(header, f.ratio())).append("</td><td>").append(oneDecimal(f.connectsPerSecond()))
                    .append("</td><td>").append(oneDecimal(f.closesPerSecond())).append("</td><td>")
                    .append(f.projectedLoad()).append("</td><td>").append(f.capacity()).append("</td><td>")
                    .append(percent(f.ratio())).append("</td></tr>\n");
        }
        out.append("</table>\n");
        if (figures.size() > shown) {
            out.append("<p class=\"meta\">").append(figures.size() - shown)
                    .append(" less churning destinations not shown.</p>\n");
        }
    }

    private static void destination(StringBuilder out, Header header, int rank, DestinationFigures f,
                                     ChurnHistory.Series series, DestinationSites sites) {
        DestinationStats d = f.destination();
        String level = levelName(header, f.ratio());
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
            ratesChart(out, series);
            portsChart(out, series, f.capacity());
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

    // ---- charts ----

    private static void ratesChart(StringBuilder out, ChurnHistory.Series s) {
        double max = 0;
        for (int i = 0; i < s.size(); i++) {
            max = Math.max(max, Math.max(s.connectsPerSecond(i), s.closesPerSecond(i)));
        }
        Axes axes = new Axes(s, Math.max(1, max * 1.08));
        svgStart(out, "Connections per second");
        axes.draw(out);
        legend(out, new String[] {"connects/s", "closes/s"}, new String[] {CONNECTS_COLOUR, CLOSES_COLOUR});
        double[] values = new double[s.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = s.connectsPerSecond(i);
        }
        line(out, axes, values, CONNECTS_COLOUR, 4.5);
        for (int i = 0; i < values.length; i++) {
            values[i] = s.closesPerSecond(i);
        }
        line(out, axes, values, CLOSES_COLOUR, 2);
        out.append("</svg>\n");
    }

    private static void portsChart(StringBuilder out, ChurnHistory.Series s, int capacity) {
        double max = capacity;
        for (int i = 0; i < s.size(); i++) {
            max = Math.max(max, Math.max(s.projectedTimeWait(i), s.observedTimeWait(i)));
        }
        Axes axes = new Axes(s, Math.max(1, max * 1.08));
        svgStart(out, "Ports in TIME_WAIT");
        axes.draw(out);
        legend(out, new String[] {"projected", "observed (kernel)", "capacity"},
                new String[] {PROJECTED_COLOUR, OBSERVED_COLOUR, CAPACITY_COLOUR});
        double[] values = new double[s.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = s.projectedTimeWait(i);
        }
        line(out, axes, values, PROJECTED_COLOUR, 2.5);
        boolean anyObserved = false;
        for (int i = 0; i < values.length; i++) {
            values[i] = s.observedTimeWait(i) < 0 ? Double.NaN : s.observedTimeWait(i);
            anyObserved |= s.observedTimeWait(i) >= 0;
        }
        line(out, axes, values, OBSERVED_COLOUR, 2.5);
        // the limit on top of the series: a series above capacity does not hide it
        int y = (int) Math.round(axes.y(capacity));
        out.append("<line class=\"capacity\" x1=\"").append(LEFT).append("\" y1=\"").append(y).append("\" x2=\"")
                .append(CHART_WIDTH - RIGHT).append("\" y2=\"").append(y).append("\" stroke=\"").append(CAPACITY_COLOUR)
                .append("\" stroke-width=\"3\" shape-rendering=\"crispEdges\"/>\n");
        out.append("<text x=\"").append(CHART_WIDTH - RIGHT + 6).append("\" y=\"").append(y + 4)
                .append("\" style=\"fill:").append(CAPACITY_COLOUR).append(";font-weight:bold\">capacity ")
                .append(capacity).append("</text>\n");
        if (!anyObserved) {
            out.append("<text x=\"").append(LEFT + 8).append("\" y=\"").append(CHART_HEIGHT - BOTTOM - 8)
                    .append("\">observed: unknown (the kernel's table was not read while sampled)</text>\n");
        }
        out.append("</svg>\n");
    }

    private static void svgStart(StringBuilder out, String title) {
        out.append("<svg width=\"").append(CHART_WIDTH).append("\" height=\"").append(CHART_HEIGHT)
                .append("\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ').append(CHART_HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(title).append("\">\n<text class=\"title\" x=\"")
                .append(LEFT).append("\" y=\"16\">").append(title).append("</text>\n");
    }

    private static void legend(StringBuilder out, String[] names, String[] colours) {
        int x = LEFT;
        for (int i = 0; i < names.length; i++) {
            out.append("<rect x=\"").append(x).append("\" y=\"22\" width=\"14\" height=\"4\" fill=\"")
                    .append(colours[i]).append("\"/><text x=\"").append(x + 18).append("\" y=\"28\">")
                    .append(names[i]).append("</text>\n");
            x += 26 + names[i].length() * 7;
        }
    }

    /** A polyline through the known (not NaN) values; a lone known value is a dot. */
    private static void line(StringBuilder out, Axes axes, double[] values, String colour, double width) {
        int i = 0;
        while (i < values.length) {
            while (i < values.length && Double.isNaN(values[i])) {
                i++;
            }
            int start = i;
            while (i < values.length && !Double.isNaN(values[i])) {
                i++;
            }
            if (i - start == 1) {
                out.append("<circle cx=\"");
                coordinate(out, axes.x(start));
                out.append("\" cy=\"");
                coordinate(out, axes.y(values[start]));
                out.append("\" r=\"").append(width + 1).append("\" fill=\"").append(colour).append("\"/>\n");
            } else if (i - start > 1) {
                out.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"").append(width)
                        .append("\" stroke-linejoin=\"round\" points=\"");
                for (int j = start; j < i; j++) {
                    if (j > start) {
                        out.append(' ');
                    }
                    coordinate(out, axes.x(j));
                    out.append(',');
                    coordinate(out, axes.y(values[j]));
                }
                out.append("\"/>\n");
            }
        }
    }

    /** The plot area's scales: time to x (the last sample at the right edge), value to y. */
    private static final class Axes {
        private final ChurnHistory.Series series;
        private final long end;
        private final long span;
        private final double yStep;
        private final double yMax;

        /** @param top the largest value to show (the axis ends at the next multiple of a round step) */
        Axes(ChurnHistory.Series series, double top) {
            this.series = series;
            this.end = series.timeMillis(series.size() - 1);
            this.span = Math.max(MIN_SPAN_MILLIS, end - series.timeMillis(0));
            this.yStep = niceStep(top / 4);
            this.yMax = yStep * Math.ceil(top / yStep);
        }

        double x(int sample) {
            double ago = end - series.timeMillis(sample);
            return LEFT + (CHART_WIDTH - LEFT - RIGHT) * (1 - ago / span);
        }

        double y(double value) {
            return TOP + (CHART_HEIGHT - TOP - BOTTOM) * (1 - value / yMax);
        }

        void draw(StringBuilder out) {
            int right = CHART_WIDTH - RIGHT;
            int bottom = CHART_HEIGHT - BOTTOM;
            long steps = Math.round(yMax / yStep);
            for (long k = 0; k <= steps; k++) {
                double v = yStep * k;
                int y = (int) Math.round(y(v));
                out.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(y).append("\" x2=\"").append(right)
                        .append("\" y2=\"").append(y).append("\" stroke=\"").append(k == 0 ? "#999" : "#e4e4e4")
                        .append("\" stroke-width=\"1\" shape-rendering=\"crispEdges\"/>\n<text x=\"").append(LEFT - 6)
                        .append("\" y=\"").append(y + 4).append("\" text-anchor=\"end\">")
                        .append(yStep >= 1 ? Long.toString(Math.round(v)) : oneDecimal(v)).append("</text>\n");
            }
            long step = timeStep(span / 1000);
            for (long ago = 0; ago <= span / 1000; ago += step) {
                double x = LEFT + (right - LEFT) * (1 - ago * 1000.0 / span);
                out.append("<line x1=\"");
                coordinate(out, x);
                out.append("\" y1=\"").append(bottom).append("\" x2=\"");
                coordinate(out, x);
                out.append("\" y2=\"").append(bottom + 4).append("\" stroke=\"#999\"/>\n<text x=\"");
                coordinate(out, x);
                out.append("\" y=\"").append(bottom + 16).append("\" text-anchor=\"middle\">")
                        .append(ago == 0 ? "0" : "-" + ago / 60 + ":" + (ago % 60 < 10 ? "0" : "") + ago % 60)
                        .append("</text>\n");
            }
            out.append("<text x=\"").append(right).append("\" y=\"").append(bottom + 32)
                    .append("\" text-anchor=\"end\">time before the last sample (min:s)</text>\n");
        }
    }

    private static long timeStep(long spanSeconds) {
        long[] steps = {5, 10, 15, 30, 60, 120, 180, 300, 600};
        for (long s : steps) {
            if (spanSeconds / s <= 6) {
                return s;
            }
        }
        return 600;
    }

    /** The smallest of 1, 2, 5 times a power of ten that is at least {@code v}: a round axis step. */
    static double niceStep(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        double[] factors = {1, 2, 5, 10};
        for (double f : factors) {
            if (f * magnitude >= v * (1 - 1e-9)) {
                return f * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String levelName(Header header, double ratio) {
        return ratio >= header.criticalRatio ? "critical" : ratio >= header.warnRatio ? "warn" : "none";
    }

    private static String percent(double ratio) {
        return Math.round(ratio * 100) + "%";
    }

    /** {@code v} with one decimal, without String.format (a coordinate or a rate). */
    static String oneDecimal(double v) {
        return coordinate(new StringBuilder(12), v).toString();
    }

    private static StringBuilder coordinate(StringBuilder out, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return out.append('0');
        }
        long tenths = Math.round(v * 10);
        if (tenths < 0) {
            out.append('-');
            tenths = -tenths;
        }
        return out.append(tenths / 10).append('.').append(tenths % 10);
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
