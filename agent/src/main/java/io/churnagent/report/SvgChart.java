package io.churnagent.report;

/**
 * A small SVG line-chart engine for the HTML report: a chart frame with its title, time and value
 * axes over a {@link ChurnHistory.Series}, legends, polylines (gaps where a value is unknown) and
 * numbers without String.format; stateless, loops only (it first runs long after start-up).
 */
final class SvgChart {

    static final int CHART_WIDTH = 540;
    static final int CHART_HEIGHT = 250;
    static final int LEFT = 58;
    static final int RIGHT = 92;
    static final int TOP = 34;
    static final int BOTTOM = 40;
    /** A history shorter than this is drawn on an axis this long, its samples at the right. */
    private static final long MIN_SPAN_MILLIS = 30_000;

    private SvgChart() {
    }

    /** Opens a chart's {@code <svg>} with its title; the caller closes it with {@code </svg>}. */
    static void svgStart(StringBuilder out, String title) {
        out.append("<svg width=\"").append(CHART_WIDTH).append("\" height=\"").append(CHART_HEIGHT)
                .append("\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ').append(CHART_HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(title).append("\">\n<text class=\"title\" x=\"")
                .append(LEFT).append("\" y=\"16\">").append(title).append("</text>\n");
    }

    static void legend(StringBuilder out, String[] names, String[] colours) {
        int x = LEFT;
        for (int i = 0; i < names.length; i++) {
            out.append("<rect x=\"").append(x).append("\" y=\"22\" width=\"14\" height=\"4\" fill=\"")
                    .append(colours[i]).append("\"/><text x=\"").append(x + 18).append("\" y=\"28\">")
                    .append(names[i]).append("</text>\n");
            x += 26 + names[i].length() * 7;
        }
    }

    /** A polyline through the known (not NaN) values; a lone known value is a dot. */
    static void line(StringBuilder out, Axes axes, double[] values, String colour, double width) {
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
    static final class Axes {
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

    /** A solid horizontal line at {@code value} across the plot, labelled at its right end: a limit drawn on top of the series. */
    static void limitLine(StringBuilder out, Axes axes, double value, String colour, String label) {
        int y = (int) Math.round(axes.y(value));
        out.append("<line class=\"capacity\" x1=\"").append(LEFT).append("\" y1=\"").append(y).append("\" x2=\"")
                .append(CHART_WIDTH - RIGHT).append("\" y2=\"").append(y).append("\" stroke=\"").append(colour)
                .append("\" stroke-width=\"3\" shape-rendering=\"crispEdges\"/>\n");
        out.append("<text x=\"").append(CHART_WIDTH - RIGHT + 6).append("\" y=\"").append(y + 4)
                .append("\" style=\"fill:").append(colour).append(";font-weight:bold\">").append(label)
                .append("</text>\n");
    }

    /** A line of text at the bottom left of the plot. */
    static void note(StringBuilder out, String text) {
        out.append("<text x=\"").append(LEFT + 8).append("\" y=\"").append(CHART_HEIGHT - BOTTOM - 8)
                .append("\">").append(text).append("</text>\n");
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

    /** {@code v} with one decimal, without String.format (a coordinate or a rate). */
    static String oneDecimal(double v) {
        return coordinate(new StringBuilder(12), v).toString();
    }

    static StringBuilder coordinate(StringBuilder out, double v) {
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
}
