package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import io.qreg.registry.portal.LineDiff.Kind;
import io.qreg.registry.portal.LineDiff.Line;

import org.junit.jupiter.api.Test;

class LineDiffTest {

    /** The diff as unified-diff text: a sign and the line. */
    private static List<String> signed(List<Line> lines) {
        return lines.stream().map(l -> l.kind().sign() + l.text()).toList();
    }

    @Test
    void identicalTextsAreAllUnchangedAndHaveNoHunks() {
        List<Line> lines = LineDiff.diff(List.of("a", "b", "c"), List.of("a", "b", "c"));
        assertThat(signed(lines)).containsExactly(" a", " b", " c");
        assertThat(LineDiff.hunks(lines, 3)).isEmpty();
    }

    @Test
    void aChangedLineIsRemovedThenAddedWithBothLineNumbers() {
        List<Line> lines = LineDiff.diff(List.of("{", "  \"weight\": 5", "}"), List.of("{", "  \"weight\": 25", "}"));
        assertThat(signed(lines)).containsExactly(" {", "-  \"weight\": 5", "+  \"weight\": 25", " }");
        assertThat(lines.get(1)).isEqualTo(new Line(Kind.REMOVED, 2, null, "  \"weight\": 5"));
        assertThat(lines.get(2)).isEqualTo(new Line(Kind.ADDED, null, 2, "  \"weight\": 25"));
        assertThat(lines.get(3)).isEqualTo(new Line(Kind.SAME, 3, 3, "}"));
    }

    @Test
    void theDiffIsMinimalWhereAGreedyOneIsNot() {
        // Common subsequence a b c d (4 lines): only x removed and y added.
        List<Line> lines = LineDiff.diff(List.of("a", "x", "b", "c", "d"), List.of("a", "b", "c", "y", "d"));
        assertThat(signed(lines)).containsExactly(" a", "-x", " b", " c", "+y", " d");
        assertThat(LineDiff.count(lines, Kind.ADDED)).isEqualTo(1);
        assertThat(LineDiff.count(lines, Kind.REMOVED)).isEqualTo(1);
    }

    @Test
    void emptySidesAreAllAddedOrAllRemoved() {
        assertThat(signed(LineDiff.diff(List.of(), List.of("a", "b")))).containsExactly("+a", "+b");
        assertThat(signed(LineDiff.diff(List.of("a", "b"), List.of()))).containsExactly("-a", "-b");
        assertThat(LineDiff.diff(List.of(), List.of())).isEmpty();
    }

    @Test
    void repeatedLinesAreMatchedInOrder() {
        List<Line> lines = LineDiff.diff(List.of("}", "}", "}"), List.of("}", "x", "}"));
        assertThat(signed(lines)).containsExactly(" }", "-}", "+x", " }");
    }

    @Test
    void applyingTheDiffGivesBothTextsBackForRandomInputs() {
        Random random = new Random(42);
        for (int round = 0; round < 300; round++) {
            List<String> a = randomLines(random);
            List<String> b = randomLines(random);
            List<Line> lines = LineDiff.diff(a, b);
            assertThat(lines.stream().filter(l -> l.kind() != Kind.ADDED).map(Line::text).toList()).isEqualTo(a);
            assertThat(lines.stream().filter(l -> l.kind() != Kind.REMOVED).map(Line::text).toList()).isEqualTo(b);
            // Unchanged lines form a longest common subsequence.
            assertThat(LineDiff.count(lines, Kind.SAME)).isEqualTo(lcsLength(a, b));
            // Line numbers count up on each side.
            assertThat(lines.stream().map(Line::oldNumber).filter(n -> n != null).toList())
                    .isEqualTo(IntStream.rangeClosed(1, a.size()).boxed().toList());
            assertThat(lines.stream().map(Line::newNumber).filter(n -> n != null).toList())
                    .isEqualTo(IntStream.rangeClosed(1, b.size()).boxed().toList());
        }
    }

    @Test
    void hunksKeepThreeLinesOfContextAndMergeNearbyChanges() {
        List<String> a = IntStream.rangeClosed(1, 30).mapToObj(i -> "line " + i).toList();
        List<String> b = new ArrayList<>(a);
        b.set(4, "changed 5");    // line 5
        b.set(8, "changed 9");    // line 9: 3 unchanged lines between, within 2x context: same hunk
        b.set(24, "changed 25");  // line 25: far away, its own hunk
        List<LineDiff.Hunk> hunks = LineDiff.hunks(LineDiff.diff(a, b), 3);
        assertThat(hunks).hasSize(2);
        LineDiff.Hunk first = hunks.get(0);
        assertThat(first.header()).isEqualTo("@@ -2,11 +2,11 @@");
        assertThat(signed(first.lines())).startsWith(" line 2", " line 3", " line 4", "-line 5", "+changed 5")
                .endsWith("-line 9", "+changed 9", " line 10", " line 11", " line 12");
        assertThat(hunks.get(1).header()).isEqualTo("@@ -22,7 +22,7 @@");
    }

    @Test
    void hunkHeadersOfPureAdditionsNameTheLineBefore() {
        List<LineDiff.Hunk> atEnd = LineDiff.hunks(LineDiff.diff(List.of("a", "b"), List.of("a", "b", "c")), 0);
        assertThat(atEnd).hasSize(1);
        assertThat(atEnd.get(0).header()).isEqualTo("@@ -2,0 +3,1 @@");
        List<LineDiff.Hunk> fromNothing = LineDiff.hunks(LineDiff.diff(List.of(), List.of("a")), 3);
        assertThat(fromNothing.get(0).header()).isEqualTo("@@ -0,0 +1,1 @@");
    }

    @Test
    void hugeInputsFallBackToRemoveAllAddAllInsteadOfAHugeTable() {
        List<String> a = IntStream.range(0, 2500).mapToObj(i -> "a" + i).toList();
        List<String> b = IntStream.range(0, 2500).mapToObj(i -> "b" + i).toList();
        List<Line> lines = LineDiff.diff(a, b);
        assertThat(LineDiff.count(lines, Kind.REMOVED)).isEqualTo(2500);
        assertThat(LineDiff.count(lines, Kind.ADDED)).isEqualTo(2500);
    }

    private static List<String> randomLines(Random random) {
        int n = random.nextInt(12);
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lines.add(String.valueOf((char) ('a' + random.nextInt(4))));
        }
        return lines;
    }

    private static int lcsLength(List<String> a, List<String> b) {
        int[][] t = new int[a.size() + 1][b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                t[i][j] = a.get(i - 1).equals(b.get(j - 1)) ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
            }
        }
        return t[a.size()][b.size()];
    }
}
