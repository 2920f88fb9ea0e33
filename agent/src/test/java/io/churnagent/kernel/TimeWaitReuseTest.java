package io.churnagent.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The tcp_tw_reuse rules of {@link KernelSettings}: whether reuse saves a destination and how to say so. */
class TimeWaitReuseTest {

    private static KernelSettings settings(int reuse, int timestamps) {
        return settings(reuse, 1000, timestamps);
    }

    private static KernelSettings settings(int reuse, int delayMillis, int timestamps) {
        return KernelSettings.of(PortRange.defaults(), reuse, delayMillis, timestamps, 131072, 60);
    }

    @Test
    void reuseOneSavesEveryDestinationWhenTimestampsAreOn() {
        assertTrue(settings(1, 1).reuseSavesDestination(true));
        assertTrue(settings(1, 1).reuseSavesDestination(false));
        assertTrue(settings(1, 2).reuseSavesDestination(false), "tcp_timestamps=2 still sends timestamps");
    }

    @Test
    void reuseTwoSavesOnlyLoopback() {
        assertTrue(settings(2, 1).reuseSavesDestination(true));
        assertFalse(settings(2, 1).reuseSavesDestination(false));
    }

    @Test
    void nothingIsSavedWithoutReuseOrTimestamps() {
        for (boolean loopback : new boolean[] {true, false}) {
            assertFalse(settings(0, 1).reuseSavesDestination(loopback));
            assertFalse(settings(1, 0).reuseSavesDestination(loopback));
            assertFalse(settings(2, 0).reuseSavesDestination(loopback));
            assertFalse(settings(-1, 1).reuseSavesDestination(loopback));
            assertFalse(settings(1, -1).reuseSavesDestination(loopback), "unknown timestamps must not claim safety");
        }
    }

    @Test
    void explainsTheDefaultOnLoopback() {
        assertEquals("tcp_tw_reuse=2 lets new loopback connections take over TIME_WAIT ports after about 1 s, so this"
                + " host survives on loopback \u2014 a remote destination in production would not",
                ReuseExplanation.of(settings(2, 1), true));
    }

    @Test
    void explainsTheDefaultForARemoteDestination() {
        assertEquals("tcp_tw_reuse=2 applies to loopback only, so nothing here saves this destination",
                ReuseExplanation.of(settings(2, 1), false));
    }

    @Test
    void explainsReuseOff() {
        assertEquals("tcp_tw_reuse=0: nothing on this host lets new connections reuse TIME_WAIT ports",
                ReuseExplanation.of(settings(0, 1), true));
        assertEquals(ReuseExplanation.of(settings(0, 1), true), ReuseExplanation.of(settings(0, 1), false));
    }

    @Test
    void explainsReuseOneAndWhatTheDefaultWouldDo() {
        String remote = ReuseExplanation.of(settings(1, 1), false);
        assertTrue(remote.startsWith("tcp_tw_reuse=1 lets new outbound connections take over TIME_WAIT ports after"
                + " about 1 s when the peer uses TCP timestamps"), remote);
        assertTrue(remote.contains("default tcp_tw_reuse=2 would not"), remote);
        String loopback = ReuseExplanation.of(settings(1, 1), true);
        assertTrue(loopback.contains("survives on loopback"), loopback);
    }

    @Test
    void explainsThatReuseNeedsTimestamps() {
        String s = ReuseExplanation.of(settings(1, 0), false);
        assertTrue(s.contains("it needs TCP timestamps and tcp_timestamps=0"), s);
        assertTrue(s.contains("nothing here saves this destination"), s);
        assertTrue(ReuseExplanation.of(settings(2, 0), true).contains("tcp_timestamps=0"));
    }

    @Test
    void explainsWhatCouldNotBeRead() {
        assertTrue(ReuseExplanation.of(settings(-1, 1), true).startsWith("tcp_tw_reuse could not be read"));
        assertTrue(ReuseExplanation.of(settings(1, -1), true).contains("tcp_timestamps could not be read"));
        assertTrue(ReuseExplanation.of(settings(7, 1), true).contains("tcp_tw_reuse=7 is not a value this agent knows"));
    }

    @Test
    void namesTheReuseDelay() {
        assertTrue(ReuseExplanation.of(settings(2, 500, 1), true).contains("after about 500 ms"));
        assertTrue(ReuseExplanation.of(settings(2, 1500, 1), true).contains("after about 1.5 s"));
        assertTrue(ReuseExplanation.of(settings(2, 2000, 1), true).contains("after about 2 s"));
        assertTrue(ReuseExplanation.of(settings(2, -1, 1), true).contains("after about 1 s"), "absent means 1 s");
    }

    @Test
    void theSentenceAgreesWithTheVerdictEverywhere() {
        for (int reuse = -1; reuse <= 3; reuse++) {
            for (int ts = -1; ts <= 2; ts++) {
                for (boolean loopback : new boolean[] {true, false}) {
                    KernelSettings k = settings(reuse, ts);
                    String s = ReuseExplanation.of(k, loopback);
                    String where = "reuse=" + reuse + " ts=" + ts + " loopback=" + loopback + ": " + s;
                    assertEquals(k.reuseSavesDestination(loopback), s.contains("survives"), where);
                    assertFalse(s.contains("\n"), where);
                    assertTrue(s.startsWith("tcp_tw_reuse"), where);
                }
            }
        }
    }

    @Test
    void ofWithoutARangeUsesTheDefault() {
        KernelSettings k = KernelSettings.of(null, 2, -1, 1, -1, -1);
        assertEquals(PortRange.defaults(), k.portRange());
        assertFalse(k.portRangeFromKernel());
        assertEquals(0, k.problems().size());
        assertEquals(1000, k.effectiveTwReuseDelayMillis());
    }
}
