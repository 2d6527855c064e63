package dev.deepgramagent.logging;

/**
 * ISO-8601 UTC timestamps with milliseconds ({@code 2026-01-01T00:00:00.000Z}) for the agent's log
 * lines. {@code Instant.toString} would do, but its formatter loads about 40 java.time classes on the
 * agent's start, while the app starts too; this is plain arithmetic on the epoch day.
 */
final class Timestamps {

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private Timestamps() {
    }

    static void appendIso(StringBuilder sb, long epochMillis) {
        long day = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        int millisOfDay = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
        // Civil date from days since 1970-01-01 (proleptic Gregorian, eras of 400 years).
        long z = day + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        int dayOfMonth = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        pad(sb, year, 4).append('-');
        pad(sb, month, 2).append('-');
        pad(sb, dayOfMonth, 2).append('T');
        pad(sb, millisOfDay / 3_600_000, 2).append(':');
        pad(sb, millisOfDay / 60_000 % 60, 2).append(':');
        pad(sb, millisOfDay / 1000 % 60, 2).append('.');
        pad(sb, millisOfDay % 1000, 3).append('Z');
    }

    private static StringBuilder pad(StringBuilder sb, long value, int width) {
        if (value < 0) {
            return sb.append(value); // years before 0: never a log line's
        }
        for (long limit = 10; width > 1; width--, limit *= 10) {
            if (value < limit) {
                sb.append('0');
            }
        }
        return sb.append(value);
    }
}
