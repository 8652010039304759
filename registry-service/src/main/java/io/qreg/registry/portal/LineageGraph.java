package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.List;

/**
 * A variant's lineage laid out for an inline SVG drawn on the server (no JavaScript): stages as
 * columns from left to right, each stage's nodes stacked and centred, and every node of a stage
 * joined to every node of the next by an orthogonal connector through a shared vertical "bus",
 * so fan-in (inputs to the variant) and fan-out (variant to its measurements) read at a glance.
 * A stage with nothing in it yet shows one dashed placeholder node, so the chain stays whole.
 *
 * <p>Stages are a plain list: a new kind of lineage is one more
 * {@link Stage}, with no change to the layout.
 */
public record LineageGraph(int width, int height, List<Heading> headings, List<Node> nodes, List<Edge> edges) {

    static final int NODE_WIDTH = 196;
    static final int NODE_HEIGHT = 60;
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

    /** A placed node; {@code label} is what assistive technology reads for it. */
    public record Node(String kind, String title, String subtitle, String href, String tone, boolean placeholder, int x,
            int y, String label) {

        public int textX() {
            return x + 12;
        }
    }

    /** An SVG path; dashed when it leads to or from a placeholder. */
    public record Edge(String d, boolean dashed) {
    }

    public int nodeWidth() {
        return NODE_WIDTH;
    }

    public int nodeHeight() {
        return NODE_HEIGHT;
    }

    static LineageGraph layout(List<Stage> stages) {
        int rows = stages.stream().mapToInt(s -> Math.max(1, s.nodes().size())).max().orElse(1);
        int columnHeight = rows * NODE_HEIGHT + (rows - 1) * ROW_GAP;
        int width = 2 * PADDING + stages.size() * NODE_WIDTH + (stages.size() - 1) * COLUMN_GAP;
        int height = HEADING_HEIGHT + columnHeight + 2 * PADDING;

        List<Heading> headings = new ArrayList<>();
        List<List<Node>> placed = new ArrayList<>();
        for (int c = 0; c < stages.size(); c++) {
            Stage stage = stages.get(c);
            int x = PADDING + c * (NODE_WIDTH + COLUMN_GAP);
            headings.add(new Heading(stage.heading(), x));
            List<Spec> specs = stage.nodes().isEmpty()
                    ? List.of(new Spec(stage.heading().toUpperCase(java.util.Locale.ROOT), stage.whenEmpty(), "",
                            null, "muted"))
                    : stage.nodes();
            int own = specs.size() * NODE_HEIGHT + (specs.size() - 1) * ROW_GAP;
            int top = PADDING + HEADING_HEIGHT + (columnHeight - own) / 2;
            List<Node> column = new ArrayList<>();
            for (int r = 0; r < specs.size(); r++) {
                Spec s = specs.get(r);
                boolean placeholder = stage.nodes().isEmpty();
                String label = s.kind().toLowerCase(java.util.Locale.ROOT) + " " + s.title()
                        + (s.subtitle() == null || s.subtitle().isBlank() ? "" : ", " + s.subtitle());
                // Cut to what fits the box at the stylesheet's font sizes; the full text is the node's label.
                column.add(new Node(Figures.fit(s.kind(), 28), Figures.fit(s.title(), 22),
                        Figures.fit(s.subtitle(), 27), s.href(), s.tone() == null ? "" : s.tone(), placeholder, x,
                        top + r * (NODE_HEIGHT + ROW_GAP), label));
            }
            placed.add(column);
        }

        List<Edge> edges = new ArrayList<>();
        for (int c = 0; c + 1 < placed.size(); c++) {
            int bus = PADDING + c * (NODE_WIDTH + COLUMN_GAP) + NODE_WIDTH + COLUMN_GAP / 2;
            for (Node from : placed.get(c)) {
                for (Node to : placed.get(c + 1)) {
                    int fromY = from.y() + NODE_HEIGHT / 2;
                    int toY = to.y() + NODE_HEIGHT / 2;
                    // Ends 6 px short of the node, where the arrowhead marker draws the rest.
                    edges.add(new Edge("M" + (from.x() + NODE_WIDTH) + "," + fromY + " H" + bus + " V" + toY
                            + " H" + (to.x() - 6), from.placeholder() || to.placeholder()));
                }
            }
        }
        List<Node> nodes = placed.stream().flatMap(List::stream).toList();
        return new LineageGraph(width, height, headings, nodes, edges);
    }
}
