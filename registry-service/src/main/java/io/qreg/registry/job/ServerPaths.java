package io.qreg.registry.job;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes the registry's and the workers' file system layout out of job errors and messages before anyone
 * reads them: an absolute path ({@code /tmp/qreg-work/3f/model.onnx}, {@code C:\work\model.onnx}) becomes
 * {@code …/model.onnx}. The file name stays because it helps; the directories say nothing a viewer needs
 * and map the servers for an attacker. URLs are left alone.
 */
public final class ServerPaths {

    private static final String SEGMENT = "[^\\s'\"`,;:()\\[\\]{}<>|/\\\\]+";
    /** Two or more segments from a "/" that starts a word (not the "/" inside a URL or "1/2"). */
    private static final Pattern UNIX = Pattern.compile("(?<![\\w.~:/\\\\-])(?:/" + SEGMENT + "){2,}/?");
    /** A drive letter or a UNC share, then backslash-separated segments. */
    private static final Pattern WINDOWS = Pattern.compile(
            "(?<!\\w)(?:[A-Za-z]:|\\\\\\\\" + SEGMENT + ")(?:\\\\" + SEGMENT + ")+\\\\?");

    private ServerPaths() {
    }

    /** The text with every absolute path reduced to its last segment; null stays null. */
    public static String redact(String text) {
        if (text == null || (text.indexOf('/') < 0 && text.indexOf('\\') < 0)) {
            return text;
        }
        return shorten(WINDOWS, '\\', shorten(UNIX, '/', text));
    }

    private static String shorten(Pattern pattern, char separator, String text) {
        Matcher matcher = pattern.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (matcher.find()) {
            String path = matcher.group();
            String trimmed = path.endsWith(String.valueOf(separator)) ? path.substring(0, path.length() - 1) : path;
            String last = trimmed.substring(trimmed.lastIndexOf(separator) + 1);
            matcher.appendReplacement(out, Matcher.quoteReplacement("…" + separator + last));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
