package io.qreg.registry.portal;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.qreg.engine.quant.Method;
import io.qreg.registry.variant.PrecisionLabel;
import io.qreg.registry.variant.VariantView;

/**
 * Numbers as the portal prints them, and which way is better for each metric. Pages show the
 * formatted strings computed here, so templates hold no arithmetic.
 */
final class Figures {

    /** Metrics where a smaller figure is the better one; every other metric is better when larger. */
    private static final Set<String> LOWER_IS_BETTER = Set.of("perplexity", "maxAbsError", "loss", "latencyP50Ms",
            "latencyP99Ms", "latencyMeanMs", "sizeBytes", "rssDeltaBytes", "expectedCalibrationError", "meanKld",
            "kld99", "kld999", "rmsDeltaP", "flipRate");

    private Figures() {
    }

    /** Bits per weight of a quantization method (32 for none: the checkpoint itself). */
    static int bits(String method) {
        return method == null ? 32 : Method.parse(method).bits();
    }

    /**
     * Bits per weight as the variant's file stores them (scales and zero points included) when the engine reported
     * its precision mix; otherwise the method's nominal bits.
     */
    static String bitsPerWeight(VariantView v) {
        Double stored = PrecisionLabel.bitsPerWeight(v.precisionMix());
        return stored == null ? String.valueOf(bits(v.method())) : String.format(Locale.ROOT, "%.1f", stored);
    }

    static boolean lowerIsBetter(String metric) {
        return LOWER_IS_BETTER.contains(metric);
    }

    /** A plain figure with up to four significant decimals, no trailing noise. */
    static String number(Double value) {
        if (value == null || value.isNaN()) {
            return "—";
        }
        if (value.isInfinite()) {
            return value > 0 ? "∞" : "\u2212∞";
        }
        double abs = Math.abs(value);
        String pattern = abs >= 100 ? "%.1f" : abs >= 1 ? "%.3f" : "%.4f";
        return String.format(Locale.ROOT, pattern, value);
    }

    /** A signed difference, "+0.0123" or "−0.0040" (a real minus sign, as screen readers say "minus"). */
    static String signed(Double value, String pattern) {
        if (value == null || value.isNaN()) {
            return "—";
        }
        if (value.isInfinite()) {
            return (value < 0 ? "\u2212" : "+") + "∞";
        }
        if (Math.abs(value) < 5e-13) {
            value = 0.0; // never print -0
        }
        String text = String.format(Locale.ROOT, pattern, Math.abs(value));
        return (value < 0 ? "\u2212" : "+") + text;
    }

    /** A fraction (0.0123) as percentage points: "+1.23 pp". */
    static String points(Double fraction) {
        return fraction == null ? "—" : signed(fraction * 100, "%.2f") + " pp";
    }

    static String percent(Double value) {
        return value == null ? "—" : signed(value, "%.2f") + " %";
    }

    static String speedup(Double value) {
        return value == null ? "—" : String.format(Locale.ROOT, "%.2f×", value);
    }

    /**
     * A benchmark's speed-up with its 95 % bootstrap interval, "1.04× [0.78–1.30×] noisy"; benchmarks recorded before
     * intervals existed show the estimate alone with "(no interval)".
     */
    static String speedupWithInterval(io.qreg.registry.variant.VariantView.BenchmarkView b) {
        if (!b.hasInterval()) {
            return speedup(b.speedup()) + (b.speedup() == null ? "" : " (no interval)");
        }
        return speedup(b.speedup()) + String.format(Locale.ROOT, " [%.2f\u2013%.2f×]", b.speedupLow(), b.speedupHigh())
                + (Boolean.TRUE.equals(b.speedupNoisy()) ? " noisy" : "");
    }

    static String millis(Double value) {
        return value == null ? "—" : String.format(Locale.ROOT, value >= 100 ? "%.0f ms" : "%.3f ms", value);
    }

    /**
     * A number in a stored map. Workers spell the figures JSON cannot hold as the strings "Infinity", "-Infinity" and
     * "NaN" (an SQNR of identical outputs is +Infinity), and they are read back as those numbers.
     */
    static Double number(Object map, String key) {
        if (map instanceof Map<?, ?> m) {
            Object value = m.get(key);
            if (value instanceof Number n) {
                return n.doubleValue();
            }
            if ("Infinity".equals(value) || "-Infinity".equals(value) || "NaN".equals(value)) {
                return Double.parseDouble((String) value);
            }
        }
        return null;
    }

    static String text(Object map, String key) {
        if (map instanceof Map<?, ?> m && m.get(key) != null) {
            return String.valueOf(m.get(key));
        }
        return null;
    }

    /** The first eight hex digits of an id: enough to tell jobs and variants apart on a page. */
    static String shortId(Object id) {
        return prefix(id, 8);
    }

    /** The first twelve hex digits of a sha256: enough to tell artifacts apart on a page. */
    static String shortSha(Object sha) {
        return prefix(sha, 12);
    }

    private static String prefix(Object value, int length) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        return s.length() > length ? s.substring(0, length) : s;
    }
}
