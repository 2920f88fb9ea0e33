package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel fallback's model, on made-up kernel figures and a made-up clock (seconds). */
class UnseenTimeWaitTest {

    private static final long S = 1_000_000_000L;
    private static final String DEST = "10.0.0.5:6379";

    private static UnseenTimeWait model() {
        // capacity 1000: warn at 500 ports, critical at 800; warnings repeat every 60 s
        return new UnseenTimeWait(new ModelSettings(1000, 0.5, 0.8, 60 * S, S));
    }

    @Test
    void hostGrowthThatTheCountedClosesExplainReadsNoTable() {
        UnseenTimeWait m = model();
        for (int t = 0; t <= 10; t++) {
            assertFalse(m.hostSample(t * S, 100L * t, 100L * t), "this JVM closed every one of them, t=" + t);
        }
        assertFalse(m.hostSample(11 * S, -1, 0), "no sockstat: nothing to compare");
    }

    @Test
    void unexplainedHostGrowthAsksForTheTable() {
        UnseenTimeWait m = model();
        assertFalse(m.hostSample(0, 0, 0));
        assertFalse(m.hostSample(S, 10, 0), "10 unexplained: under the threshold");
        assertTrue(m.hostSample(2 * S, 10 + UnseenTimeWait.MIN_UNEXPLAINED_GROWTH, 0));
        // outside the window the old sample no longer counts
        UnseenTimeWait slow = model();
        slow.hostSample(0, 0, 0);
        assertFalse(slow.hostSample(UnseenTimeWait.WINDOW_NANOS + S, 15, 0));
        assertFalse(slow.hostSample(UnseenTimeWait.WINDOW_NANOS + 2 * S, 30, 0), "15 per window: under the threshold");
    }

    @Test
    void aReadThatFindsNothingToFollowQuietsTheHostTriggerForAMinute() {
        UnseenTimeWait m = model();
        // 100 TIME_WAIT a second that no destination holds (this host's servers closed first)
        m.hostSample(0, 0, 0);
        assertTrue(m.hostSample(S, 100, 0));
        assertEquals(List.of(), m.evaluate(S, Map.of(), Map.of()));
        long quietEnd = S + UnseenTimeWait.QUIET_AFTER_EMPTY_READ_NANOS;
        for (long t = 2 * S; t < quietEnd; t += S) {
            assertFalse(m.hostSample(t, 100 * t / S, 0), "quiet after an empty read, t=" + t / S);
        }
        assertTrue(m.hostSample(quietEnd, 100 * quietEnd / S, 0), "the growth goes on: read again");
        // a read that finds a destination to follow keeps the reads coming
        assertEquals(List.of(), m.evaluate(quietEnd, Map.of(DEST, 40), Map.of()));
        assertTrue(m.hostSample(quietEnd + S, 100 * quietEnd / S, 0), "followed: read on the next tick");
    }

    @Test
    void growingUnseenTimeWaitIsWarnedWithItsProjection() {
        UnseenTimeWait m = model();
        // 20 unseen closes/s: 1200 ports in TIME_WAIT at 60 s, 120% of the capacity
        assertEquals(List.of(), m.evaluate(0, Map.of(DEST, 40), Map.of()), "one read gives no rate");
        List<UnseenTimeWait.Finding> due = m.evaluate(3 * S, Map.of(DEST, 100), Map.of());
        assertEquals(1, due.size());
        UnseenTimeWait.Finding f = due.get(0);
        assertEquals(DEST, f.destination());
        assertEquals(100, f.unexplained());
        assertEquals(20.0, f.perSecond(), 1e-9);
        assertEquals(1200, f.projected());
        assertEquals(WarningLevel.CRITICAL, f.level());
        assertEquals(List.of(), m.evaluate(4 * S, Map.of(DEST, 120), Map.of()), "once per warn interval");
        assertEquals(1, m.evaluate(64 * S, Map.of(DEST, 1200), Map.of()).size(), "again after it");
    }

    @Test
    void theHooksClosesExplainTheirShare() {
        UnseenTimeWait m = model();
        // the kernel holds this JVM's 1000 closes and 100 more that grow slowly: 1/s, 60 ports at 60 s
        m.evaluate(0, Map.of(DEST, 1_000), Map.of(DEST, 1_000L));
        m.evaluate(10 * S, Map.of(DEST, 1_100), Map.of(DEST, 1_090L));
        assertEquals(List.of(), m.evaluate(20 * S, Map.of(DEST, 1_200), Map.of(DEST, 1_180L)));
    }

    @Test
    void leftoverTimeWaitThatOnlyShrinksIsNeverWarned() {
        UnseenTimeWait m = model();
        // a process that churned and ended: 900 ports in TIME_WAIT, draining
        for (int t = 0; t < 60; t += 2) {
            assertEquals(List.of(), m.evaluate(t * S, Map.of(DEST, 900 - 15 * t), Map.of()), "t=" + t);
        }
    }

    @Test
    void aPlateauAfterGrowthKeepsWarningAtTheInterval() {
        UnseenTimeWait m = model();
        m.evaluate(0, Map.of(DEST, 0 + UnseenTimeWait.MIN_UNEXPLAINED_GROWTH), Map.of());
        assertEquals(1, m.evaluate(5 * S, Map.of(DEST, 520), Map.of()).size(), "100/s");
        // 60 s later the churn goes on: TIME_WAIT settled at its level, no growth
        assertEquals(1, m.evaluate(70 * S, Map.of(DEST, 6_000), Map.of()).size());
        assertEquals(1, m.evaluate(140 * S, Map.of(DEST, 6_000), Map.of()).size(), "the level alone, once it grew");
        assertEquals(List.of(), m.evaluate(141 * S, Map.of(), Map.of()));
        assertEquals(0, m.followed(), "a destination gone from the table is let go");
    }

    @Test
    void followedDestinationsAreBounded() {
        UnseenTimeWait m = model();
        java.util.Map<String, Integer> many = new java.util.HashMap<>();
        for (int i = 0; i < 100; i++) {
            many.put("10.0.0." + i + ":80", 50);
        }
        m.evaluate(0, many, Map.of());
        assertEquals(UnseenTimeWait.MAX_FOLLOWED, m.followed());
    }
}
