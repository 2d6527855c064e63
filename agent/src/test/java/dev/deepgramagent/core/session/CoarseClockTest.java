package dev.deepgramagent.core.session;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoarseClockTest {

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void standsStillUntilStartedThenFollowsItsSource() throws InterruptedException {
        AtomicLong source = new AtomicLong(100);
        CoarseClock clock = new CoarseClock(source::get);
        source.set(200);
        assertEquals(100, clock.getAsLong(), "no ticking before the first session");

        clock.start(scheduler);
        assertEquals(200, clock.getAsLong(), "start reads the source at once");
        source.set(300);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (clock.getAsLong() != 300 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(300, clock.getAsLong());
    }

    @Test
    void startIsIdempotent() {
        CoarseClock clock = new CoarseClock(System::nanoTime);
        clock.start(scheduler);
        clock.start(scheduler);
        assertTrue(clock.getAsLong() > 0);
        assertEquals(1, scheduler.getQueue().size(), "one tick task");
    }
}
