package io.qreg.worker.cli;

import java.util.Locale;

/** Number formatting for the human summaries; Locale.ROOT so a German locale never prints "0,978". */
final class Formats {

    private Formats() {
    }

    static String fixed(double value, int decimals) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    static String signed(double value, int decimals) {
        return (value >= 0 && !Double.isNaN(value) ? "+" : "") + fixed(value, decimals);
    }

    static String megabytes(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
