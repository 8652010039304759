package io.qreg.registry.support;

/** Small text rules the API and the portal share, so a blank form field and an absent JSON field mean the same. */
public final class Text {

    private Text() {
    }

    /** Null for null or whitespace only, else the text as given. */
    public static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
