package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimiterTest {

    private final FakeTicker ticker = new FakeTicker();

    @Test
    void allowsTheBurstThenTheRate() {
        RateLimiter limiter = new RateLimiter(ticker, 10, 5);
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            if (limiter.tryAcquire()) {
                allowed++;
            }
        }
        assertEquals(5, allowed, "the burst, all at the same instant");
        ticker.advanceMillis(100);
        assertTrue(limiter.tryAcquire(), "one interval later one more");
        assertFalse(limiter.tryAcquire());
        int overASecond = 0;
        for (int ms = 0; ms < 1000; ms++) {
            ticker.advanceMillis(1);
            if (limiter.tryAcquire()) {
                overASecond++;
            }
        }
        assertEquals(10, overASecond, "10 per second when asked continuously");
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(ticker, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(ticker, 1, 0));
    }
}
