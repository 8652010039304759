package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.List;

/**
 * Breaks a label into lines that fit a fixed-width SVG box drawn on the server, where no browser can measure the
 * text. Widths are estimated per character from DejaVu Sans, the widest of the usual system sans-serif fonts and
 * the one Debian's browsers fall back to, so an estimate that fits is text that fits. Lines break after a space, or
 * after a hyphen, underscore, slash or {@code @} inside a long name (not at a dot: versions stay whole); a word
 * wider than the box is split where it reaches the edge. Only a label longer than {@code maxLines} lines is cut, its last line ending in "…":
 * the caller keeps the full text elsewhere (the node's SVG {@code <title>}).
 */
final class LabelLines {

    static final String ELLIPSIS = "…";

    private LabelLines() {
    }

    /** The label's lines at this font size (px), each at most {@code maxWidth} px wide; empty for blank text. */
    static List<String> wrap(String text, double maxWidth, double fontPx, boolean bold, int maxLines) {
        List<String> lines = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return lines;
        }
        String line = "";
        for (String piece : pieces(text.strip())) {
            String candidate = line + piece;
            if (width(candidate.stripTrailing(), fontPx, bold) <= maxWidth) {
                line = candidate;
                continue;
            }
            if (!line.isBlank()) {
                lines.add(line.stripTrailing());
                line = "";
            }
            // A piece wider than the whole box on its own: split it where it reaches the edge.
            String rest = piece;
            while (width(rest.stripTrailing(), fontPx, bold) > maxWidth) {
                int cut = longestPrefix(rest, maxWidth, fontPx, bold);
                lines.add(rest.substring(0, cut));
                rest = rest.substring(cut);
            }
            line = rest;
        }
        if (!line.isBlank()) {
            lines.add(line.stripTrailing());
        }
        return lines.size() <= maxLines ? lines : cut(lines, maxWidth, fontPx, bold, maxLines);
    }

    /**
     * Advances of the printable ASCII characters (space to tilde) in hundredths of an em, two digits each, measured
     * from DejaVu Sans and DejaVu Sans Bold (Debian's fallback for system-ui and sans-serif) and rounded up.
     */
    private static final String REGULAR = "3241468464967828404050843237323464646464646464646464343484848454996969707864"
            + "587876303066568775796179706462746999696269403440845050626455646236646428285828986462646442534064608260"
            + "605364346484";
    private static final String BOLD = "3546538470998831464653843842383770707070707070707070404084848459997877748469"
            + "698384383878649984867486787369827899787373463746845050687260726844727235356735997269727250604872669365"
            + "665972377284";
    /** Room for the browser's rounding and kerning differences. */
    private static final double MARGIN = 1.04;

    /** The estimated width of the text in px. */
    static double width(String text, double fontPx, boolean bold) {
        double em = 0;
        for (int i = 0; i < text.length(); i++) {
            em += advance(text.charAt(i), bold ? BOLD : REGULAR);
        }
        return em * fontPx * MARGIN;
    }

    /** A character's advance in em; outside ASCII a full em, except the few the portal's labels use. */
    private static double advance(char c, String table) {
        if (c >= ' ' && c <= '~') {
            int i = 2 * (c - ' ');
            return Integer.parseInt(table, i, i + 2, 10) / 100.0;
        }
        return switch (c) {
            case '·' -> 0.38;
            case '×', '−' -> 0.84;
            default -> 1.0;
        };
    }

    /** The text in pieces each ending at a place a line may break (a space, or a separator inside a name). */
    private static List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' || "-_/@".indexOf(c) >= 0 && i + 1 < text.length() && text.charAt(i + 1) != ' ') {
                pieces.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            pieces.add(text.substring(start));
        }
        return pieces;
    }

    private static int longestPrefix(String text, double maxWidth, double fontPx, boolean bold) {
        int end = 1;
        while (end < text.length() && width(text.substring(0, end + 1), fontPx, bold) <= maxWidth) {
            end++;
        }
        return end;
    }

    /** The first lines, the last of them shortened to end in "…" within the width. */
    private static List<String> cut(List<String> lines, double maxWidth, double fontPx, boolean bold, int maxLines) {
        List<String> kept = new ArrayList<>(lines.subList(0, maxLines));
        String last = kept.get(maxLines - 1);
        while (!last.isEmpty() && width(last + ELLIPSIS, fontPx, bold) > maxWidth) {
            last = last.substring(0, last.length() - 1);
        }
        kept.set(maxLines - 1, last.stripTrailing() + ELLIPSIS);
        return kept;
    }
}
