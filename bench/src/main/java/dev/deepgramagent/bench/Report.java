package dev.deepgramagent.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results table and the JSON object: headline figures, goals met, and the raw measurements. */
final class Report {

    private static final String[] HEADER = {"figure", "without agent", "with agent", "added / ratio", "goal", "met"};

    private final List<String[]> rows = new ArrayList<>();
    final Map<String, Object> headline = new LinkedHashMap<>();
    final Map<String, Object> met = new LinkedHashMap<>();
    final Map<String, Object> details = new LinkedHashMap<>();

    void row(String figure, String without, String with, String added, String goal, Boolean goalMet) {
        rows.add(new String[] {figure, without, with, added, goal, goalMet == null ? "" : goalMet ? "yes" : "NO"});
    }

    void headline(String key, double value, int decimals, Boolean goalMet) {
        headline.put(key, Stats.round(value, decimals));
        if (goalMet != null) {
            met.put(key, goalMet);
        }
    }

    void detail(String key, Object value) {
        if (value instanceof Double) {
            value = Stats.round((Double) value, 3);
        } else if (value instanceof List) {
            List<Object> rounded = new ArrayList<>();
            for (Object o : (List<?>) value) {
                rounded.add(o instanceof Double ? Stats.round((Double) o, 3) : o);
            }
            value = rounded;
        }
        details.put(key, value);
    }

    String table() {
        int[] width = new int[HEADER.length];
        List<String[]> all = new ArrayList<>();
        all.add(HEADER);
        all.addAll(rows);
        for (String[] r : all) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < all.size(); n++) {
            String[] r = all.get(n);
            for (int i = 0; i < r.length; i++) {
                sb.append(i == 0 ? "| " : " | ").append(pad(r[i], width[i]));
            }
            sb.append(" |\n");
            if (n == 0) {
                for (int i = 0; i < width.length; i++) {
                    sb.append("|").append("-".repeat(width[i] + 2));
                }
                sb.append("|\n");
            }
        }
        return sb.toString();
    }

    static String fmt(double value, String unit) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        double abs = Math.abs(value);
        String number = abs >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : abs >= 10 ? String.format(Locale.ROOT, "%.1f", value)
                : String.format(Locale.ROOT, "%.2f", value);
        return unit.isEmpty() ? number : number + " " + unit;
    }

    static String signed(double value, String unit) {
        return (value >= 0 ? "+" : "") + fmt(value, unit);
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
