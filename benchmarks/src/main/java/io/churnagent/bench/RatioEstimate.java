package io.churnagent.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A throughput ratio (agent / plain) over rounds of {@link AlternatingRun}. Each round is one pair of
 * JVMs; its ratio is the geometric mean of its turn pairs' ratios. The estimate is the geometric mean
 * over rounds, and its 95 % confidence interval comes from the spread between rounds (Student's t on
 * the logarithms), so it holds both the turn-to-turn noise and what differs from one JVM to the next
 * (what the JIT made of the code, where the heap landed). Not thread-safe.
 */
final class RatioEstimate {

    /** Student's t, two-sided 95 %, for 1 to 30 degrees of freedom. */
    private static final double[] T95 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
            2.056, 2.052, 2.048, 2.045, 2.042};

    private final List<Double> logs = new ArrayList<>();

    /** Adds one round: the ratios of its turn pairs. Returns the round's ratio. */
    double addRound(double[] pairRatios) {
        double round = geometricMean(pairRatios);
        logs.add(Math.log(round));
        return round;
    }

    /** The geometric mean of the ratios (each must be positive). */
    static double geometricMean(double[] ratios) {
        return Math.exp(meanLog(ratios));
    }

    private static double meanLog(double[] ratios) {
        if (ratios.length == 0) {
            throw new IllegalArgumentException("no ratios");
        }
        double sum = 0;
        for (double r : ratios) {
            if (!(r > 0) || Double.isInfinite(r)) {
                throw new IllegalArgumentException("a ratio must be positive and finite: " + r);
            }
            sum += Math.log(r);
        }
        return sum / ratios.length;
    }

    int rounds() {
        return logs.size();
    }

    double estimate() {
        return Math.exp(mean());
    }

    double min() {
        return Math.exp(logs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN));
    }

    double max() {
        return Math.exp(logs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
    }

    /** The 95 % confidence interval {low, high}; NaNs with fewer than two rounds. */
    double[] confidence95() {
        int n = logs.size();
        if (n < 2) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double mean = mean();
        double var = 0;
        for (double l : logs) {
            var += (l - mean) * (l - mean);
        }
        double half = t95(n - 1) * Math.sqrt(var / (n - 1) / n);
        return new double[] {Math.exp(mean - half), Math.exp(mean + half)};
    }

    static double t95(int degrees) {
        return degrees <= T95.length ? T95[degrees - 1] : 1.96;
    }

    /**
     * Against a target: "met" when the whole interval is at or above it, "missed" when it is all
     * below, and otherwise which side the estimate falls on, "inside the noise".
     */
    String verdict(double target) {
        double[] ci = confidence95();
        if (ci[0] >= target) {
            return "met";
        }
        if (ci[1] < target) {
            return "**missed**";
        }
        return (estimate() >= target ? "met" : "**missed**") + " by the estimate; the interval holds the target";
    }

    /** {@code 0.9961 (95 % CI 0.9890–1.0033; rounds 0.9902–1.0010, n=4)}. */
    String describe() {
        double[] ci = confidence95();
        String interval = Double.isNaN(ci[0]) ? "no CI from one round"
                : String.format(Locale.ROOT, "95 %% CI %.4f–%.4f", ci[0], ci[1]);
        return String.format(Locale.ROOT, "%.4f (%s; rounds %.4f–%.4f, n=%d)", estimate(), interval, min(), max(),
                rounds());
    }

    private double mean() {
        return logs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
