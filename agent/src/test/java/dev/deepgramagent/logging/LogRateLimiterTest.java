package dev.deepgramagent.logging;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogRateLimiterTest {

    @Test
    void eachKindGetsItsLinesPerSecondAndTheRestAreCounted() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        LogRateLimiter limiter = new LogRateLimiter(3, now::get);
        int allowed = 0;
        for (int i = 0; i < 1000; i++) {
            if (limiter.allow(LogRateLimiter.Kind.ABNORMAL_END)) {
                allowed++;
            }
        }
        assertEquals(3, allowed);
        assertTrue(limiter.allow(LogRateLimiter.Kind.WARNING), "kinds are limited separately");
        assertEquals(Map.of(LogRateLimiter.Kind.ABNORMAL_END, 997L), limiter.drain());
        assertEquals(Map.of(), limiter.drain(), "a drain resets the counts");

        now.addAndGet(999_000_000L);
        assertFalse(limiter.allow(LogRateLimiter.Kind.ABNORMAL_END), "still the same second");
        now.addAndGet(1_000_000L);
        assertTrue(limiter.allow(LogRateLimiter.Kind.ABNORMAL_END), "a new second");
    }

    @Test
    void zeroMeansNoLimit() {
        LogRateLimiter limiter = new LogRateLimiter(0, () -> 0L);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(limiter.allow(LogRateLimiter.Kind.CLEAN_END));
        }
        assertEquals(Map.of(), limiter.drain());
    }
}
