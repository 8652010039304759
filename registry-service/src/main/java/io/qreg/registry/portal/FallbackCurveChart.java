package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.qreg.engine.eval.SelectiveRoutingCurve;
import io.qreg.registry.fallback.OperatingPoint;
import io.qreg.registry.variant.RoutingCurveEvidence;

/**
 * The variant page's selective-routing curve, drawn on the server as SVG (no script), like the lineage: share of
 * traffic re-sent to the more precise backend across, share of disagreements with the checkpoint recovered up, the
 * diagonal being what re-sending at random would recover. Each operating point asked for (the model policy's, each
 * deployment tier's own) is marked where it lands on the curve.
 *
 * @param polyline the curve as SVG {@code points}
 * @param marks    the operating points, in the order asked for
 */
public record FallbackCurveChart(String dataset, String confidence, long positions, long disagreements, String polyline,
        List<Tick> ticks, List<Mark> marks) {

    static final int WIDTH = 420;
    static final int HEIGHT = 300;
    static final int LEFT = 52;
    static final int TOP = 12;
    static final int PLOT = 236;

    /** An axis tick at {@code position} pixels along both axes, labelled with a share. */
    public record Tick(int position, String label) {
    }

    /**
     * A marked operating point: who asked ({@code policy}, or {@code deployment/tier}), what, and where it landed.
     */
    public record Mark(String askedBy, String asked, double x, double y, String threshold, String traffic,
            String recovery) {

        public String label() {
            return askedBy + " (" + asked + "): threshold " + threshold + ", re-sends " + traffic + " of traffic,"
                    + " recovers " + recovery + " of disagreements";
        }
    }

    /** An operating point to mark and who asked for it. */
    public record Asked(String askedBy, OperatingPoint point) {
    }

    public int width() {
        return WIDTH;
    }

    public int height() {
        return HEIGHT;
    }

    public int left() {
        return LEFT;
    }

    public int top() {
        return TOP;
    }

    public int bottom() {
        return TOP + PLOT;
    }

    public int right() {
        return LEFT + PLOT;
    }

    /** The middle of the plot across, for the horizontal axis's title. */
    public int middleX() {
        return LEFT + PLOT / 2;
    }

    /** The middle of the plot down, for the vertical axis's title (drawn rotated). */
    public int middleY() {
        return TOP + PLOT / 2;
    }

    /** The chart of the variant's newest curve, or null when it has none. */
    static FallbackCurveChart of(Optional<RoutingCurveEvidence> evidence, List<Asked> asked) {
        if (evidence.isEmpty()) {
            return null;
        }
        SelectiveRoutingCurve curve = evidence.get().curve();
        StringBuilder polyline = new StringBuilder();
        for (SelectiveRoutingCurve.Point p : curve.points()) {
            polyline.append(polyline.isEmpty() ? "" : " ").append(format(x(p.traffic()))).append(',')
                    .append(format(y(p.recovery())));
        }
        List<Tick> ticks = new ArrayList<>();
        for (int i = 0; i <= 4; i++) {
            ticks.add(new Tick(PLOT * i / 4, (i * 25) + "%"));
        }
        List<Mark> marks = new ArrayList<>();
        for (Asked a : asked) {
            a.point().pick(curve).ifPresent(p -> marks.add(new Mark(a.askedBy(), a.point().describe(),
                    x(p.traffic()), y(p.recovery()), String.format(Locale.ROOT, "%.4f", p.threshold()),
                    share(p.traffic()), share(p.recovery()))));
        }
        return new FallbackCurveChart(evidence.get().dataset(), curve.confidence(), curve.positions(),
                curve.disagreements(), polyline.toString(), ticks, marks);
    }

    private static double x(double traffic) {
        return LEFT + traffic * PLOT;
    }

    private static double y(double recovery) {
        return TOP + (1 - recovery) * PLOT;
    }

    private static String format(double pixels) {
        return String.format(Locale.ROOT, "%.1f", pixels);
    }

    private static String share(double value) {
        return String.format(Locale.ROOT, "%.1f%%", value * 100);
    }
}
