package io.qreg.registry.web;

import java.time.Duration;
import java.util.Locale;

/** A long poll's {@code ?wait=}: seconds ({@code 30}, {@code 30s}) or milliseconds ({@code 500ms}), 0 to 60 s. */
public final class WaitParameter {

    /** The longest a request may hold its thread; proxies commonly cut idle connections soon after a minute. */
    public static final Duration MAX = Duration.ofSeconds(60);

    private WaitParameter() {
    }

    /**
     * @param whenBlank the wait to use when the parameter is absent or blank, or null to refuse a blank one
     * @throws ApiException 400 naming {@code wait} if it is no duration or outside 0 to 60 s
     */
    public static Duration parse(String wait, Duration whenBlank) {
        if ((wait == null || wait.isBlank()) && whenBlank != null) {
            return whenBlank;
        }
        String w = wait == null ? "" : wait.trim().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (w.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(w.substring(0, w.length() - 2)));
            } else {
                d = Duration.ofMillis(Math.round(Double.parseDouble(w.endsWith("s") ? w.substring(0, w.length() - 1)
                        : w) * 1000));
            }
        } catch (NumberFormatException e) {
            throw ApiException.invalid("wait", "wait is a duration such as '30s', '500ms' or '0', got '"
                    + Excerpt.of(String.valueOf(wait)) + "'");
        }
        if (d.isNegative() || d.compareTo(MAX) > 0) {
            throw ApiException.invalid("wait", "wait must be between 0 and 60 seconds, got '" + Excerpt.of(wait) + "'");
        }
        return d;
    }
}
