package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The process-wide walls (descriptors, threads) on a fake clock, and the failures that say one was hit. */
class ResourceWallTest {

    private static final long SECOND = 1_000_000_000L;
    private final FakeTicker ticker = new FakeTicker();
    private final ResourceWall fds = new ResourceWall(new ModelSettings(28_232, 0.5, 0.8, 60 * SECOND, SECOND));

    private void sample(long count, long limit) {
        fds.sample(ticker.nanoTime(), count, limit);
        ticker.advanceMillis(1000);
    }

    @Test
    void steadyGrowthIsProjectedSixtySecondsAheadAndWarnedOnce() {
        long count = 100;
        int warnedAt = -1;
        for (int s = 0; s <= 8; s++, count += 20) {
            fds.sample(ticker.nanoTime(), count, 2_048);
            if (fds.warningDue(ticker.nanoTime()) && warnedAt < 0) {
                warnedAt = s;
            }
            ticker.advanceMillis(1000);
        }
        assertEquals(5, warnedAt, "growth counts once it covers 5 s");
        assertEquals(20.0, fds.growthPerSecond(), 0.01);
        assertEquals(count - 20 + 1_200, fds.projected());
        assertEquals((2_048 - (count - 20)) / 20.0, fds.exhaustionInSeconds(), 0.01);
        assertFalse(fds.warningDue(ticker.nanoTime()), "at most once per warn.interval at the same level");
    }

    @Test
    void aBurstThatStopsIsNotGrowth() {
        sample(50, 1_024);
        sample(450, 1_024); // a pool of 200 connections to a server in this process: 400 descriptors at once
        for (int s = 0; s < 15; s++) {
            sample(450, 1_024);
            assertFalse(fds.warningDue(ticker.nanoTime()), "450 of 1024, not growing: " + fds.ratio());
        }
        assertEquals(0.0, fds.growthPerSecond());
        assertEquals(-1.0, fds.exhaustionInSeconds());
    }

    @Test
    void aCountAtTheRatioWarnsWithoutGrowth() {
        sample(900, 1_024);
        assertTrue(fds.warningDue(ticker.nanoTime()));
        assertEquals(WarningLevel.CRITICAL, fds.level());
    }

    @Test
    void anUnknownLimitNeverWarns() {
        for (int s = 0; s < 10; s++) {
            sample(100L * s, -1);
            assertFalse(fds.warningDue(ticker.nanoTime()));
        }
    }

    @Test
    void failuresAreMatchedByMessageAsJdk17And25WordThem() {
        ResourceFailures failures = new ResourceFailures(ticker);
        failures.record("socket", new IOException("Too many open files"));
        failures.record("socket", new SocketException("Too many open files"));
        failures.record("accept", new IOException("Connection reset"));
        failures.record("thread", new OutOfMemoryError(
                "unable to create native thread: possibly out of memory or process/resource limits reached"));
        failures.record("selector", new java.io.UncheckedIOException(new IOException("Too many open files")));
        assertEquals(3, failures.fdFailures());
        assertEquals("selector", failures.lastFdWhere());
        assertEquals(1, failures.threadFailures());
        assertEquals(ticker.nanoTime(), failures.firstFdFailureAt());
    }

    @Test
    void clientThreadsAreToldByTheirLibrariesNames() {
        assertEquals(0, ClientThreadFamilies.familyOf("HttpClient-17-SelectorManager"));
        assertEquals(-1, ClientThreadFamilies.familyOf("HttpClient-17-Worker-0"));
        assertEquals(1, ClientThreadFamilies.familyOf("OkHttp TaskRunner"));
        assertEquals(2, ClientThreadFamilies.familyOf("nioEventLoopGroup-3-1"));
        assertEquals(3, ClientThreadFamilies.familyOf("lettuce-epollEventLoop-4-1"));
        assertEquals(4, ClientThreadFamilies.familyOf("httpclient-dispatch-1"));
        assertEquals(5, ClientThreadFamilies.familyOf("grpc-default-executor-0"));
        assertEquals(-1, ClientThreadFamilies.familyOf("main"));
    }
}
