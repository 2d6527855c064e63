package dev.deepgramagent.logging;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * At most {@code perSecond} lines per kind in each one-second window; the rest are counted and
 * reported by {@link #drain} as one summary line per kind. Under a storm (a Deepgram outage ending
 * a thousand sessions in a second) the log stays readable while the metrics stay exact.
 */
final class LogRateLimiter {

    /** The kinds of session line, each limited on its own. */
    enum Kind {
        ABNORMAL_END("abnormal session ends"),
        SAVED_END("saved session ends"),
        CLEAN_END("clean session ends"),
        WARNING("session warnings"),
        RECONNECT("reconnects");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final int perSecond;
    private final LongSupplier clock;
    private final Map<Kind, long[]> state = new EnumMap<>(Kind.class); // {window start, lines in window, suppressed}

    LogRateLimiter(int perSecond, LongSupplier clock) {
        this.perSecond = perSecond;
        this.clock = clock;
        for (Kind k : Kind.values()) {
            state.put(k, new long[] {Long.MIN_VALUE, 0, 0});
        }
    }

    /** Whether a line of this kind may be written now; if not, it is counted as suppressed. */
    synchronized boolean allow(Kind kind) {
        if (perSecond == 0) {
            return true;
        }
        long now = clock.getAsLong();
        long[] s = state.get(kind);
        if (s[0] == Long.MIN_VALUE || now - s[0] >= WINDOW_NANOS) {
            s[0] = now;
            s[1] = 0;
        }
        if (s[1] < perSecond) {
            s[1]++;
            return true;
        }
        s[2]++;
        return false;
    }

    /** Lines suppressed since the last drain, per kind (only kinds with some); resets the counts. */
    synchronized Map<Kind, Long> drain() {
        Map<Kind, Long> out = new EnumMap<>(Kind.class);
        for (Map.Entry<Kind, long[]> e : state.entrySet()) {
            if (e.getValue()[2] > 0) {
                out.put(e.getKey(), e.getValue()[2]);
                e.getValue()[2] = 0;
            }
        }
        return out;
    }
}
