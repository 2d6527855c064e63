package dev.deepgramagent.config;

import java.util.Locale;

/** Parses the agent's human durations: {@code 250ms}, {@code 2s}, {@code 1.5s}, {@code 1m}, {@code 0}. */
public final class Durations {

    private Durations() {
    }

    public static long parseMillis(String raw) {
        String v = raw.trim().toLowerCase(Locale.ROOT);
        if (v.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        if (v.startsWith("-")) {
            throw new IllegalArgumentException("negative");
        }
        long unit;
        String number;
        if (v.endsWith("ms")) {
            unit = 1;
            number = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            unit = 1000;
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            unit = 60_000;
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("h")) {
            unit = 3_600_000;
            number = v.substring(0, v.length() - 1);
        } else {
            unit = 1;
            number = v;
        }
        double value;
        try {
            value = Double.parseDouble(number.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration");
        }
        if (Double.isNaN(value) || Double.isInfinite(value) || value < 0) {
            throw new IllegalArgumentException("not a duration");
        }
        double millis = value * unit;
        if (millis > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("too large");
        }
        return Math.round(millis);
    }

    /** Formats milliseconds the way a user would type them. */
    public static String format(long millis) {
        if (millis == 0) {
            return "0";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
