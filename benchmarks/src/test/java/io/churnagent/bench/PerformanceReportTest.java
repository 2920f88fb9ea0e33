package io.churnagent.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PerformanceReportTest {

    /** The shape of JMH's {@code -rf json} output: the primary metric's rawData comes first. */
    @Test
    void readsThePrimaryMetricsIterationsFromJmhJson() {
        String json = "[ { \"benchmark\" : \"x.connectClose\", \"primaryMetric\" : { \"score\" : 2.5E4,"
                + " \"scorePercentiles\" : { \"0.0\" : 21061.1 }, \"scoreUnit\" : \"ops/s\", \"rawData\" : [\n"
                + "  [\n   21061.123,\n   27718.5,\n   3.0E4\n  ]\n ] },"
                + " \"secondaryMetrics\" : { \"gc\" : { \"rawData\" : [ [ 1.0 ] ] } } } ]";
        assertArrayEquals(new double[] {21061.123, 27718.5, 30000.0}, PerformanceReport.rawData(json), 1e-9);
        assertEquals(0, PerformanceReport.rawData("[]").length, "a failed run wrote no result");
    }
}
