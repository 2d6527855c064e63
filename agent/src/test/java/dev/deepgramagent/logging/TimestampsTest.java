package dev.deepgramagent.logging;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TimestampsTest {

    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void formatsLikeJavaTimeWithMillisecondsAlwaysPresent() {
        long[] fixed = {0L, 1L, 999L, 86_399_999L, 86_400_000L, 951_782_400_000L /* 2000-02-29 */,
                4_107_542_400_000L /* 2100-03-01 */, 1_798_675_200_000L, 253_402_300_799_999L /* 9999-12-31 */};
        for (long millis : fixed) {
            assertEquals(ISO_MILLIS.format(Instant.ofEpochMilli(millis)), format(millis), "at " + millis);
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            long millis = random.nextLong(0, 253_402_300_800_000L);
            assertEquals(ISO_MILLIS.format(Instant.ofEpochMilli(millis)), format(millis), "at " + millis);
        }
    }

    private static String format(long millis) {
        StringBuilder sb = new StringBuilder();
        Timestamps.appendIso(sb, millis);
        return sb.toString();
    }
}
