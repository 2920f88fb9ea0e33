package io.churnagent.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** A handful of measurements of one figure: median and range. Not thread-safe. */
final class Spread {

    private final List<Double> values = new ArrayList<>();

    Spread add(double value) {
        values.add(value);
        return this;
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    /** The value added last. */
    double last() {
        return values.get(values.size() - 1);
    }

    double median() {
        List<Double> sorted = sorted();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double min() {
        return sorted().get(0);
    }

    double max() {
        List<Double> sorted = sorted();
        return sorted.get(sorted.size() - 1);
    }

    int count() {
        return values.size();
    }

    /** {@code 0.996 (0.991–1.002, n=5)} with {@code digits} decimals. */
    String describe(int digits) {
        String f = "%." + digits + "f";
        return String.format(Locale.ROOT, f + " (" + f + "–" + f + ", n=%d)", median(), min(), max(), count());
    }

    private List<Double> sorted() {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted;
    }
}
