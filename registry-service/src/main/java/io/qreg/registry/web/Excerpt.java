package io.qreg.registry.web;

/**
 * How error details quote what the caller sent: at most {@value #MAX_CHARS} characters of it, so a
 * megabyte-long name is not echoed back (and logged, and stored in problem documents) whole.
 */
public final class Excerpt {

    public static final int MAX_CHARS = 200;

    private Excerpt() {
    }

    /** The value as text, cut to {@value #MAX_CHARS} characters with a note of how long it was. */
    public static String of(Object input) {
        String text = String.valueOf(input);
        if (text.length() <= MAX_CHARS) {
            return text;
        }
        return text.substring(0, MAX_CHARS) + "… (" + text.length() + " characters)";
    }
}
