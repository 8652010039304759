package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.List;

/**
 * A variant's lineage laid out for an inline SVG drawn on the server (no JavaScript): stages as
 * columns from left to right, each stage's nodes stacked and centred, and every node of a stage
 * joined to every node of the next by an orthogonal connector through a shared vertical "bus",
 * so fan-in (inputs to the variant) and fan-out (variant to its measurements) read at a glance.
 * A stage with nothing in it yet shows one dashed placeholder node, so the chain stays whole.
 * Names are never cut short: a long title wraps onto up to {@value #TITLE_LINES} lines and every node of the graph
 * grows to the tallest node's height, so the columns stay aligned.
 *
 * <p>Stages are a plain list: a new kind of lineage is one more
 * {@link Stage}, with no change to the layout.
 */
public record LineageGraph(int width, int height, int nodeHeight, List<Heading> headings, List<Node> nodes,
        List<Edge> edges) {

    static final int NODE_WIDTH = 196;
    /** The height of a node with one line of title and one of subtitle. */
    static final int NODE_HEIGHT = 60;
    static final int TITLE_LINES = 3;
    static final int SUBTITLE_LINES = 2;
    /** Room for text inside a node: 12 px in from the left edge, 10 px clear of the right. */
    static final double TEXT_WIDTH = NODE_WIDTH - 22;
    /** Baselines below the node's top: the kind, the first title line; and the gaps between lines. */
    static final int KIND_BASELINE = 17;
    static final int TITLE_BASELINE = 35;
    static final int TITLE_LEADING = 15;
    static final int SUBTITLE_LEADING = 14;
    static final int SUBTITLE_GAP = 16;
    static final int BOTTOM_PADDING = 9;
    static final int COLUMN_GAP = 44;
    static final int ROW_GAP = 14;
    static final int HEADING_HEIGHT = 26;
    static final int PADDING = 4;

    /** A column of the graph: a heading, its nodes, and what its placeholder says when it has none. */
    public record Stage(String heading, List<Spec> nodes, String whenEmpty) {
    }

    /**
     * What a node shows and links to. {@code kind} is a short uppercase label (CHECKPOINT), {@code tone} a
     * CSS modifier (ok, failed, pending, muted), {@code href} where the node leads (null: not a link).
     */
    public record Spec(String kind, String title, String subtitle, String href, String tone) {
    }

    public record Heading(String text, int x) {
    }

    /**
     * A placed node; {@code label} is what assistive technology reads for it (and its SVG {@code <title>} shows on
     * hover), {@code titleLines} and {@code subtitleLines} the wrapped text with their baselines.
     */
    public record Node(String kind, String title, String subtitle, String href, String tone, boolean placeholder, int x,
            int y, String label, List<Line> titleLines, List<Line> subtitleLines) {

        public int textX() {
            return x + 12;
        }

        public int kindY() {
            return y + KIND_BASELINE;
        }
    }

    /** One line of a node's wrapped text and its baseline. */
    public record Line(String text, int y) {
    }

    /** An SVG path; dashed when it leads to or from a placeholder. */
    public record Edge(String d, boolean dashed) {
    }

    public int nodeWidth() {
        return NODE_WIDTH;
    }

    static LineageGraph layout(List<Stage> stages) {
        List<List<Spec>> columns = stages.stream().map(LineageGraph::specs).toList();
        int nodeHeight = columns.stream().flatMap(List::stream).mapToInt(LineageGraph::heightOf).max()
                .orElse(NODE_HEIGHT);
        int rows = stages.stream().mapToInt(s -> Math.max(1, s.nodes().size())).max().orElse(1);
        int columnHeight = rows * nodeHeight + (rows - 1) * ROW_GAP;
        int width = 2 * PADDING + stages.size() * NODE_WIDTH + (stages.size() - 1) * COLUMN_GAP;
        int height = HEADING_HEIGHT + columnHeight + 2 * PADDING;

        List<Heading> headings = new ArrayList<>();
        List<List<Node>> placed = new ArrayList<>();
        for (int c = 0; c < stages.size(); c++) {
            Stage stage = stages.get(c);
            int x = PADDING + c * (NODE_WIDTH + COLUMN_GAP);
            headings.add(new Heading(stage.heading(), x));
            List<Spec> specs = columns.get(c);
            int own = specs.size() * nodeHeight + (specs.size() - 1) * ROW_GAP;
            int top = PADDING + HEADING_HEIGHT + (columnHeight - own) / 2;
            List<Node> column = new ArrayList<>();
            for (int r = 0; r < specs.size(); r++) {
                Spec s = specs.get(r);
                boolean placeholder = stage.nodes().isEmpty();
                String label = s.kind().toLowerCase(java.util.Locale.ROOT) + " " + s.title()
                        + (s.subtitle() == null || s.subtitle().isBlank() ? "" : ", " + s.subtitle());
                int y = top + r * (nodeHeight + ROW_GAP);
                List<String> kind = kindLines(s);
                column.add(new Node(kind.isEmpty() ? "" : kind.get(0), s.title(), s.subtitle(), s.href(),
                        s.tone() == null ? "" : s.tone(), placeholder, x, y, label,
                        baselines(titleLines(s), y + TITLE_BASELINE, TITLE_LEADING),
                        baselines(subtitleLines(s), y + subtitleBaseline(titleLines(s).size()), SUBTITLE_LEADING)));
            }
            placed.add(column);
        }

        List<Edge> edges = new ArrayList<>();
        for (int c = 0; c + 1 < placed.size(); c++) {
            int bus = PADDING + c * (NODE_WIDTH + COLUMN_GAP) + NODE_WIDTH + COLUMN_GAP / 2;
            for (Node from : placed.get(c)) {
                for (Node to : placed.get(c + 1)) {
                    int fromY = from.y() + nodeHeight / 2;
                    int toY = to.y() + nodeHeight / 2;
                    // Ends 6 px short of the node, where the arrowhead marker draws the rest.
                    edges.add(new Edge("M" + (from.x() + NODE_WIDTH) + "," + fromY + " H" + bus + " V" + toY
                            + " H" + (to.x() - 6), from.placeholder() || to.placeholder()));
                }
            }
        }
        List<Node> nodes = placed.stream().flatMap(List::stream).toList();
        return new LineageGraph(width, height, nodeHeight, headings, nodes, edges);
    }

    /** A stage's nodes, or its one placeholder when it has none. */
    private static List<Spec> specs(Stage stage) {
        return stage.nodes().isEmpty()
                ? List.of(new Spec(stage.heading().toUpperCase(java.util.Locale.ROOT), stage.whenEmpty(), "", null,
                        "muted"))
                : stage.nodes();
    }

    // The font sizes are the stylesheet's: kind 10 px bold, title 12 px bold, subtitle 11 px.
    private static List<String> kindLines(Spec s) {
        return LabelLines.wrap(s.kind(), TEXT_WIDTH, 10 * 1.04, true, 1);
    }

    private static List<String> titleLines(Spec s) {
        return LabelLines.wrap(s.title(), TEXT_WIDTH, 12, true, TITLE_LINES);
    }

    private static List<String> subtitleLines(Spec s) {
        return LabelLines.wrap(s.subtitle(), TEXT_WIDTH, 11, false, SUBTITLE_LINES);
    }

    private static int subtitleBaseline(int titleLines) {
        return TITLE_BASELINE + (Math.max(1, titleLines) - 1) * TITLE_LEADING + SUBTITLE_GAP;
    }

    /** The height a node needs for its wrapped text (never less than the one-line node's). */
    static int heightOf(Spec s) {
        int subtitles = subtitleLines(s).size();
        int lastBaseline = subtitles == 0 ? TITLE_BASELINE + (Math.max(1, titleLines(s).size()) - 1) * TITLE_LEADING
                : subtitleBaseline(titleLines(s).size()) + (subtitles - 1) * SUBTITLE_LEADING;
        return Math.max(NODE_HEIGHT, lastBaseline + BOTTOM_PADDING);
    }

    private static List<Line> baselines(List<String> lines, int first, int leading) {
        List<Line> placed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            placed.add(new Line(lines.get(i), first + i * leading));
        }
        return placed;
    }
}
