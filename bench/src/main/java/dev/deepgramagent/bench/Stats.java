package dev.deepgramagent.bench;

import java.util.Arrays;
import java.util.List;

/** Small statistics over repeated runs. */
final class Stats {

    private Stats() {
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    /** {@code [min..max]} of the values, in the unit: the spread a median stands in. */
    static String range(List<Double> values, String unit) {
        if (values.isEmpty()) {
            return "";
        }
        double min = values.stream().mapToDouble(Double::doubleValue).min().getAsDouble();
        double max = values.stream().mapToDouble(Double::doubleValue).max().getAsDouble();
        return "[" + Report.fmt(min, "") + ".." + Report.fmt(max, "") + (unit.isEmpty() ? "" : " " + unit) + "]";
    }

    static double round(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return value;
        }
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
