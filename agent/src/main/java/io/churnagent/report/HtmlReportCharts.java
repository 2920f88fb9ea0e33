package io.churnagent.report;

/**
 * The HTML report's two charts of one destination, drawn with {@link SvgChart} from its
 * {@link ChurnHistory.Series}: connects/s and closes/s, and the ports in TIME_WAIT (projected, observed
 * where known) under the capacity (a solid red horizontal line, {@link #CAPACITY_COLOUR}); stateless.
 */
final class HtmlReportCharts {

    /** The capacity line's colour: solid, drawn without anti-aliasing (a test looks for it in a screenshot). */
    public static final String CAPACITY_COLOUR = "#e0001b";
    public static final String CONNECTS_COLOUR = "#1e88e5";
    public static final String CLOSES_COLOUR = "#f57c00";
    public static final String PROJECTED_COLOUR = "#7b1fa2";
    public static final String OBSERVED_COLOUR = "#2e7d32";

    private HtmlReportCharts() {
    }

    static void rates(StringBuilder out, ChurnHistory.Series s) {
        double max = 0;
        for (int i = 0; i < s.size(); i++) {
            max = Math.max(max, Math.max(s.connectsPerSecond(i), s.closesPerSecond(i)));
        }
        SvgChart.Axes axes = new SvgChart.Axes(s, Math.max(1, max * 1.08));
        SvgChart.svgStart(out, "Connections per second");
        axes.draw(out);
        SvgChart.legend(out, new String[] {"connects/s", "closes/s"}, new String[] {CONNECTS_COLOUR, CLOSES_COLOUR});
        double[] values = new double[s.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = s.connectsPerSecond(i);
        }
        SvgChart.line(out, axes, values, CONNECTS_COLOUR, 4.5);
        for (int i = 0; i < values.length; i++) {
            values[i] = s.closesPerSecond(i);
        }
        SvgChart.line(out, axes, values, CLOSES_COLOUR, 2);
        out.append("</svg>\n");
    }

    static void ports(StringBuilder out, ChurnHistory.Series s, int capacity) {
        double max = capacity;
        for (int i = 0; i < s.size(); i++) {
            max = Math.max(max, Math.max(s.projectedTimeWait(i), s.observedTimeWait(i)));
        }
        SvgChart.Axes axes = new SvgChart.Axes(s, Math.max(1, max * 1.08));
        SvgChart.svgStart(out, "Ports in TIME_WAIT");
        axes.draw(out);
        SvgChart.legend(out, new String[] {"projected", "observed (kernel)", "capacity"},
                new String[] {PROJECTED_COLOUR, OBSERVED_COLOUR, CAPACITY_COLOUR});
        double[] values = new double[s.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = s.projectedTimeWait(i);
        }
        SvgChart.line(out, axes, values, PROJECTED_COLOUR, 2.5);
        boolean anyObserved = false;
        for (int i = 0; i < values.length; i++) {
            values[i] = s.observedTimeWait(i) < 0 ? Double.NaN : s.observedTimeWait(i);
            anyObserved |= s.observedTimeWait(i) >= 0;
        }
        SvgChart.line(out, axes, values, OBSERVED_COLOUR, 2.5);
        // the limit on top of the series: a series above capacity does not hide it
        SvgChart.limitLine(out, axes, capacity, CAPACITY_COLOUR, "capacity " + capacity);
        if (!anyObserved) {
            SvgChart.note(out, "observed: unknown (the kernel's table was not read while sampled)");
        }
        out.append("</svg>\n");
    }
}
