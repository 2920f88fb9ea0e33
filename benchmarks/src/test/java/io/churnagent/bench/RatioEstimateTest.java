package io.churnagent.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RatioEstimateTest {

    @Test
    void aRoundIsTheGeometricMeanOfItsPairs() {
        RatioEstimate e = new RatioEstimate();
        // 0.5 and 2 are the same distance from 1 on a log scale: an arithmetic mean would say 1.25
        assertEquals(1.0, e.addRound(new double[] {0.5, 2.0}), 1e-12);
        assertEquals(Math.cbrt(0.9 * 1.0 * 1.1), RatioEstimate.geometricMean(new double[] {0.9, 1.0, 1.1}), 1e-12);
    }

    @Test
    void theIntervalComesFromTheSpreadBetweenRounds() {
        RatioEstimate e = new RatioEstimate();
        e.addRound(new double[] {0.98});
        e.addRound(new double[] {1.00});
        e.addRound(new double[] {1.02});
        double[] logs = {Math.log(0.98), Math.log(1.00), Math.log(1.02)};
        double mean = (logs[0] + logs[1] + logs[2]) / 3;
        double sd = Math.sqrt(((logs[0] - mean) * (logs[0] - mean) + (logs[1] - mean) * (logs[1] - mean)
                + (logs[2] - mean) * (logs[2] - mean)) / 2);
        double half = 4.303 * sd / Math.sqrt(3); // t for 2 degrees of freedom
        assertEquals(Math.exp(mean), e.estimate(), 1e-12);
        assertEquals(Math.exp(mean - half), e.confidence95()[0], 1e-12);
        assertEquals(Math.exp(mean + half), e.confidence95()[1], 1e-12);
        assertEquals(0.98, e.min(), 1e-12);
        assertEquals(1.02, e.max(), 1e-12);
        assertEquals(3, e.rounds());
        assertTrue(e.describe().matches("0\\.999\\d \\(95 % CI 0\\.9\\d{3}–1\\.0\\d{3}; rounds 0\\.9800–1\\.0200, n=3\\)"),
                e.describe());
    }

    @Test
    void oneRoundHasNoInterval() {
        RatioEstimate e = new RatioEstimate();
        e.addRound(new double[] {0.97, 0.99});
        assertTrue(Double.isNaN(e.confidence95()[0]));
        assertTrue(e.describe().contains("no CI from one round"), e.describe());
        assertTrue(e.verdict(0.99).contains("the interval holds the target"), "one round proves nothing either way");
    }

    @Test
    void theVerdictIsFirmOnlyWhenTheWholeIntervalIsOnOneSide() {
        assertEquals("met", rounds(1.000, 1.001, 0.999).verdict(0.99));
        assertEquals("**missed**", rounds(0.950, 0.951, 0.949).verdict(0.99));
        assertEquals("met by the estimate; the interval holds the target", rounds(0.97, 1.03, 1.00).verdict(0.99));
        assertEquals("**missed** by the estimate; the interval holds the target", rounds(0.95, 1.01, 0.98).verdict(0.99));
    }

    @Test
    void aRatioMustBePositiveAndFinite() {
        RatioEstimate e = new RatioEstimate();
        assertThrows(IllegalArgumentException.class, () -> e.addRound(new double[] {1.0, 0.0}));
        assertThrows(IllegalArgumentException.class, () -> e.addRound(new double[] {Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> e.addRound(new double[] {Double.POSITIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> e.addRound(new double[0]));
        assertEquals(0, e.rounds());
    }

    private static RatioEstimate rounds(double... ratios) {
        RatioEstimate e = new RatioEstimate();
        for (double r : ratios) {
            e.addRound(new double[] {r});
        }
        return e;
    }
}
