package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff by longest common subsequence, for comparing two routing revisions side by side.
 * Routing documents are small (a few hundred pretty-printed lines), so the plain O(n·m) table is
 * cheap and, unlike a heuristic diff, always minimal; a common prefix and suffix are stripped first
 * because consecutive revisions usually differ in a handful of lines.
 */
public final class LineDiff {

    /**
     * Above this many table cells (after the common prefix and suffix are stripped) the middle is
     * reported as removed-then-added instead: still a correct diff, only not minimal, and it keeps
     * a request's memory bounded whatever two documents it is given.
     */
    static final long MAX_CELLS = 4_000_000;

    public enum Kind {
        SAME, ADDED, REMOVED;

        /** The unified-diff prefix, so a change is visible without colour. */
        public String sign() {
            return switch (this) {
                case SAME -> " ";
                case ADDED -> "+";
                case REMOVED -> "-";
            };
        }
    }

    /** One line of the diff with its number in the old and the new text (null where it has none). */
    public record Line(Kind kind, Integer oldNumber, Integer newNumber, String text) {
    }

    /** A run of changes with the unchanged lines around it, as a unified diff's {@code @@} block. */
    public record Hunk(int oldStart, int oldCount, int newStart, int newCount, List<Line> lines) {

        /** {@code @@ -oldStart,oldCount +newStart,newCount @@}. */
        public String header() {
            return "@@ -" + oldStart + "," + oldCount + " +" + newStart + "," + newCount + " @@";
        }
    }

    private LineDiff() {
    }

    /** Every line of both texts in order: unchanged, removed from {@code before}, added in {@code after}. */
    public static List<Line> diff(List<String> before, List<String> after) {
        int prefix = 0;
        while (prefix < before.size() && prefix < after.size() && before.get(prefix).equals(after.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < before.size() - prefix && suffix < after.size() - prefix
                && before.get(before.size() - 1 - suffix).equals(after.get(after.size() - 1 - suffix))) {
            suffix++;
        }
        List<Line> lines = new ArrayList<>(Math.max(before.size(), after.size()) + 8);
        for (int i = 0; i < prefix; i++) {
            lines.add(new Line(Kind.SAME, i + 1, i + 1, before.get(i)));
        }
        middle(before.subList(prefix, before.size() - suffix), after.subList(prefix, after.size() - suffix), prefix,
                prefix, lines);
        for (int k = suffix; k > 0; k--) {
            int i = before.size() - k;
            int j = after.size() - k;
            lines.add(new Line(Kind.SAME, i + 1, j + 1, before.get(i)));
        }
        return lines;
    }

    private static void middle(List<String> a, List<String> b, int aOffset, int bOffset, List<Line> out) {
        int n = a.size();
        int m = b.size();
        if ((long) (n + 1) * (m + 1) > MAX_CELLS) {
            for (int i = 0; i < n; i++) {
                out.add(new Line(Kind.REMOVED, aOffset + i + 1, null, a.get(i)));
            }
            for (int j = 0; j < m; j++) {
                out.add(new Line(Kind.ADDED, null, bOffset + j + 1, b.get(j)));
            }
            return;
        }
        // lcs[i][j]: the length of the longest common subsequence of a[i..] and b[j..].
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(i).equals(b.get(j))) {
                out.add(new Line(Kind.SAME, aOffset + i + 1, bOffset + j + 1, a.get(i)));
                i++;
                j++;
            } else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) {
                out.add(new Line(Kind.ADDED, null, bOffset + j + 1, b.get(j)));
                j++;
            } else {
                // On a tie the removal goes first, so a replaced line reads "- old" then "+ new".
                out.add(new Line(Kind.REMOVED, aOffset + i + 1, null, a.get(i)));
                i++;
            }
        }
    }

    /**
     * The changes grouped with up to {@code context} unchanged lines on either side; changes closer
     * than twice the context share a hunk. No changes, no hunks.
     */
    public static List<Hunk> hunks(List<Line> lines, int context) {
        List<Hunk> hunks = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            if (lines.get(i).kind() == Kind.SAME) {
                i++;
                continue;
            }
            int start = Math.max(0, i - context);
            int end = i;
            // Extend over changes and over unchanged runs short enough to join the next change.
            while (end < lines.size()) {
                if (lines.get(end).kind() != Kind.SAME) {
                    end++;
                    continue;
                }
                int run = end;
                while (run < lines.size() && lines.get(run).kind() == Kind.SAME) {
                    run++;
                }
                if (run < lines.size() && run - end <= 2 * context) {
                    end = run;
                } else {
                    end = Math.min(run, end + context);
                    break;
                }
            }
            List<Line> block = List.copyOf(lines.subList(start, end));
            hunks.add(new Hunk(start(lines, start, block, true), side(block, Kind.ADDED),
                    start(lines, start, block, false), side(block, Kind.REMOVED), block));
            i = end;
        }
        return hunks;
    }

    /**
     * Where a hunk starts on one side: its first line there, or, when the hunk has no line on that
     * side (a pure addition or removal), the line before it, as unified diffs number them.
     */
    private static int start(List<Line> lines, int index, List<Line> block, boolean old) {
        for (Line l : block) {
            Integer n = old ? l.oldNumber() : l.newNumber();
            if (n != null) {
                return n;
            }
        }
        for (int k = index - 1; k >= 0; k--) {
            Integer n = old ? lines.get(k).oldNumber() : lines.get(k).newNumber();
            if (n != null) {
                return n;
            }
        }
        return 0;
    }

    /** A hunk's line count on one side: every line except those only on the other side. */
    private static int side(List<Line> block, Kind otherSideOnly) {
        return (int) block.stream().filter(l -> l.kind() != otherSideOnly).count();
    }

    /** How many lines of the diff are of the kind (added or removed). */
    public static int count(List<Line> lines, Kind kind) {
        return (int) lines.stream().filter(l -> l.kind() == kind).count();
    }
}
