package dev.deepgramagent.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DurationsTest {

    @Test
    void parsesUnits() {
        assertEquals(0, Durations.parseMillis("0"));
        assertEquals(250, Durations.parseMillis("250"));
        assertEquals(250, Durations.parseMillis("250ms"));
        assertEquals(2000, Durations.parseMillis("2s"));
        assertEquals(1500, Durations.parseMillis(" 1.5S "));
        assertEquals(60_000, Durations.parseMillis("1m"));
        assertEquals(3_600_000, Durations.parseMillis("1h"));
    }

    @Test
    void rejectsNegativeAndGarbage() {
        for (String bad : new String[] {"-1s", "", "soon", "1x", "ms", "NaNs", "1e400s"}) {
            assertThrows(IllegalArgumentException.class, () -> Durations.parseMillis(bad), bad);
        }
    }

    @Test
    void formatsRoundTrip() {
        assertEquals("2s", Durations.format(2000));
        assertEquals("1500ms", Durations.format(1500));
        assertEquals("1m", Durations.format(60_000));
        assertEquals("0", Durations.format(0));
    }
}
