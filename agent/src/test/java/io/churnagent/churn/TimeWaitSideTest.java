package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decision driven observation by observation with a hand-moved clock. */
class TimeWaitSideTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long MINUTE = 60 * SECOND;

    private final TimeWaitSide sides = new TimeWaitSide(28_232, MINUTE);
    private long now = 5 * SECOND;

    /** One observation a second for {@code seconds}, closes growing by {@code rate}/s; returns the announcements. */
    private int observe(int index, int seconds, long rate, double observedShare) {
        int announced = 0;
        for (int s = 0; s < seconds; s++) {
            long closes60 = Math.min(60, s + 1) * rate;
            if (sides.observe(index, now, closes60, Math.round(closes60 * observedShare))) {
                announced++;
            }
            now += SECOND;
        }
        return announced;
    }

    /**
     * {@link #observe} at 30 closes/s, then checks that it made {@code announced} announcements and left
     * {@code index} on {@code side}.
     */
    private void assertObserved(int index, int seconds, double observedShare, int announced, TimeWaitSide.Side side,
            String message) {
        assertEquals(announced, observe(index, seconds, 30, observedShare), message);
        assertEquals(side, sides.side(index), message);
    }

    @Test
    void thePeerIsNamedOnlyAfterTenSecondsOfFarTooFewTimeWaitSockets() {
        assertObserved(1, 10, 0.0, 0, TimeWaitSide.Side.UNKNOWN, "9 s of evidence is not enough");
        assertObserved(1, 1, 0.0, 1, TimeWaitSide.Side.PEER, null);
        assertObserved(1, 20, 0.0, 0, TimeWaitSide.Side.PEER, "announced once");
    }

    @Test
    void timeWaitHereMeansThisSideClosesFirst() {
        assertObserved(2, 30, 0.9, 0, TimeWaitSide.Side.THIS_HOST, null);
        assertObserved(3, 30, 0.25, 0, TimeWaitSide.Side.THIS_HOST, "a quarter is not far below");
    }

    @Test
    void oneObservationWithTimeWaitHereStartsTheStreakAgain() {
        observe(1, 8, 30, 0.0);
        observe(1, 1, 30, 1.0);
        assertEquals(TimeWaitSide.Side.THIS_HOST, sides.side(1));
        assertEquals(0, observe(1, 10, 30, 0.0));
        assertEquals(1, observe(1, 1, 30, 0.0));
    }

    @Test
    void aGapInTheObservationsStartsTheStreakAgain() {
        observe(1, 8, 30, 0.0);
        now += 5 * SECOND;
        assertEquals(0, observe(1, 10, 30, 0.0), "10 s after the gap, not 23 s after the start");
        assertEquals(1, observe(1, 1, 30, 0.0));
    }

    @Test
    void tooFewClosesTellNothing() {
        assertEquals(0, observe(1, 30, 0, 0.0));
        assertEquals(TimeWaitSide.Side.UNKNOWN, sides.side(1));
        assertFalse(sides.observe(2, now, TimeWaitSide.MIN_EXPECTED - 1, 0));
    }

    @Test
    void theExpectedCountIsCappedByTheRangeBecauseReuseCapsTimeWait() {
        TimeWaitSide small = new TimeWaitSide(1000, MINUTE);
        for (int s = 0; s <= 10; s++) {
            // 100,000 closes in 60 s, but TIME_WAIT can never exceed the 1000 ports: 300 of 1000 is this side's
            assertFalse(small.observe(1, s * SECOND, 100_000, 300));
        }
        assertEquals(TimeWaitSide.Side.THIS_HOST, small.side(1));
    }

    @Test
    void aDestinationThatTurnsPeerAgainIsAnnouncedAgainOnlyAfterTheInterval() {
        observe(1, 11, 30, 0.0);
        observe(1, 1, 30, 1.0);
        assertObserved(1, 15, 0.0, 0, TimeWaitSide.Side.PEER, "within the minute: not again");
        now += MINUTE;
        observe(1, 1, 30, 1.0);
        assertEquals(1, observe(1, 11, 30, 0.0));
    }

    @Test
    void aPeerNeedsFarFewerTimeWaitThanCloses() {
        assertTrue(TimeWaitSide.PEER_SHARE < 0.5);
    }

    /** A busy host's table is read every 42 s: looks that far apart keep the streak when the caller says so. */
    @Test
    void sparseLooksKeepTheirStreakWhenTheCallerSaysHowFarApartTheyCome() {
        long interval = 42 * SECOND;
        assertFalse(sides.observe(3, now, 10_000, 0, 2 * interval));
        assertFalse(sides.observe(4, now, 10_000, 0));
        now += interval;
        assertTrue(sides.observe(3, now, 10_000, 0, 2 * interval), "two looks 42 s apart, both far too few");
        assertFalse(sides.observe(4, now, 10_000, 0), "with the default 3-s gap the streak restarts");
        assertEquals(TimeWaitSide.Side.UNKNOWN, sides.side(4));
    }

    @Test
    void closesTheHooksSawAbortedAreNoTimeWaitOnEitherSideAtOnce() {
        assertTrue(sides.observe(7, now, 600, 590, 0, -1, 3 * SECOND), "announced at the first look");
        assertEquals(TimeWaitSide.Side.NONE, sides.side(7));
        assertFalse(sides.observe(7, now + SECOND, 600, 590, 0, -1, 3 * SECOND), "once");
    }

    @Test
    void onLoopbackAPeerStreakWithNoInboundTimeWaitEitherIsNone() {
        boolean announced = false;
        for (int s = 0; s < 15; s++) {
            announced |= sides.observe(3, now, 600, 0, 0, 0, 3 * SECOND);
            now += SECOND;
        }
        assertTrue(announced);
        assertEquals(TimeWaitSide.Side.NONE, sides.side(3));
        for (int s = 0; s < 15; s++) {
            sides.observe(4, now, 600, 0, 0, 500, 3 * SECOND);
            now += SECOND;
        }
        assertEquals(TimeWaitSide.Side.PEER, sides.side(4), "the server's side holds it");
    }
}
