package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.qreg.registry.portal.LineageGraph.Line;
import io.qreg.registry.portal.LineageGraph.Node;
import io.qreg.registry.portal.LineageGraph.Spec;
import io.qreg.registry.portal.LineageGraph.Stage;

import org.junit.jupiter.api.Test;

/** The lineage graph's layout of long names: wrapped within the node, never cut while it fits three lines. */
class LineageGraphTest {

    private static final String LONG_MODEL = "support-intent-classifier-multilingual 2.10.3";

    private static LineageGraph graph(String checkpointTitle, String subtitle) {
        return LineageGraph.layout(List.of(
                new Stage("Inputs", List.of(new Spec("CHECKPOINT", checkpointTitle, subtitle, "/models/m", ""),
                        new Spec("RECIPE VERSION", "int8@1", "int8 · hash 0a1b2c", "#recipe", "")), ""),
                new Stage("Variant", List.of(new Spec("VARIANT 0a1b2c3d-4e5", "int8-dynamic · 25 KiB",
                        "made by job 1234abcd", "/jobs/1", "current")), ""),
                new Stage("Rollouts", List.of(), "none yet")));
    }

    private static String joined(List<Line> lines) {
        return String.join("", lines.stream().map(Line::text).toList());
    }

    private static String withoutSpaces(String text) {
        return text.replace(" ", "");
    }

    @Test
    void shortNamesKeepTheOneLineNodeHeight() {
        LineageGraph g = graph("digits 1.0.0", "sha256 0a1b2c3d4e5f");
        assertThat(g.nodeHeight()).isEqualTo(LineageGraph.NODE_HEIGHT);
        Node checkpoint = g.nodes().get(0);
        assertThat(checkpoint.titleLines()).extracting(Line::text).containsExactly("digits 1.0.0");
        assertThat(checkpoint.titleLines().get(0).y()).isEqualTo(checkpoint.y() + LineageGraph.TITLE_BASELINE);
    }

    @Test
    void aLongNameWrapsOntoSeveralLinesWithEveryCharacterKept() {
        LineageGraph g = graph(LONG_MODEL, "sha256 0a1b2c3d4e5f");
        Node checkpoint = g.nodes().get(0);
        assertThat(checkpoint.titleLines()).hasSizeBetween(2, LineageGraph.TITLE_LINES);
        assertThat(withoutSpaces(joined(checkpoint.titleLines()))).isEqualTo(withoutSpaces(LONG_MODEL))
                .doesNotContain(LabelLines.ELLIPSIS);
        assertThat(checkpoint.title()).isEqualTo(LONG_MODEL);
        assertThat(checkpoint.label()).contains(LONG_MODEL);
        for (Line line : checkpoint.titleLines()) {
            assertThat(LabelLines.width(line.text(), 12, true)).as(line.text())
                    .isLessThanOrEqualTo(LineageGraph.TEXT_WIDTH);
        }
    }

    @Test
    void everyNodeGrowsToTheTallestSoTheWrappedTextStaysInsideItsBox() {
        LineageGraph g = graph(LONG_MODEL, "sha256 0a1b2c3d4e5f");
        assertThat(g.nodeHeight()).isGreaterThan(LineageGraph.NODE_HEIGHT);
        for (Node n : g.nodes()) {
            List<Line> all = new java.util.ArrayList<>(n.titleLines());
            all.addAll(n.subtitleLines());
            Line last = all.get(all.size() - 1);
            assertThat(last.y()).as(n.title()).isLessThanOrEqualTo(n.y() + g.nodeHeight() - 4);
            // Subtitle lines come below the title's last line.
            if (!n.subtitleLines().isEmpty()) {
                assertThat(n.subtitleLines().get(0).y())
                        .isGreaterThan(n.titleLines().get(n.titleLines().size() - 1).y());
            }
        }
        // The graph is tall enough for its nodes, and the connectors meet the nodes' middles.
        assertThat(g.height()).isGreaterThanOrEqualTo(g.nodes().get(0).y() + g.nodeHeight());
        Node variant = g.nodes().stream().filter(n -> n.kind().startsWith("VARIANT")).findFirst().orElseThrow();
        assertThat(g.edges()).anySatisfy(e -> assertThat(e.d()).endsWith("V" + (variant.y() + g.nodeHeight() / 2)
                + " H" + (variant.x() - 6)));
    }

    @Test
    void aVersionNumberIsNotBrokenAtItsDots() {
        List<String> lines = LabelLines.wrap("gov-ee51156c-intent-classifier-multilingual 1.0.0",
                LineageGraph.TEXT_WIDTH, 12, true, LineageGraph.TITLE_LINES);
        assertThat(lines).hasSizeGreaterThan(1).anySatisfy(l -> assertThat(l).endsWith("1.0.0"));
    }

    @Test
    void aWordWiderThanTheBoxIsSplitAtTheEdgeNotDropped() {
        String hash = "a".repeat(60);
        List<String> lines = LabelLines.wrap(hash, LineageGraph.TEXT_WIDTH, 12, true, LineageGraph.TITLE_LINES);
        assertThat(lines).hasSizeGreaterThan(1);
        assertThat(String.join("", lines)).isEqualTo(hash);
        lines.forEach(l -> assertThat(LabelLines.width(l, 12, true)).isLessThanOrEqualTo(LineageGraph.TEXT_WIDTH));
    }

    @Test
    void onlyANameBeyondThreeLinesIsCutAndItsNodeKeepsTheFullTextAsItsLabel() {
        String huge = "a-model-name-so-long-that-no-three-lines-of-a-lineage-node-could-ever-hold-it-whole-"
                + "even-when-wrapped-at-every-hyphen 1.0.0";
        Node checkpoint = graph(huge, "").nodes().get(0);
        assertThat(checkpoint.titleLines()).hasSize(LineageGraph.TITLE_LINES);
        assertThat(checkpoint.titleLines().get(LineageGraph.TITLE_LINES - 1).text()).endsWith(LabelLines.ELLIPSIS);
        assertThat(checkpoint.label()).contains(huge);
        assertThat(checkpoint.subtitleLines()).isEmpty();
    }
}
