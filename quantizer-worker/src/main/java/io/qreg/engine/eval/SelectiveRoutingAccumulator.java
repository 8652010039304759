package io.qreg.engine.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects each scored position's confidence and whether the variant disagrees with the reference there, and turns
 * them into a {@link SelectiveRoutingCurve}. Quantile thresholds need every confidence, so each position is kept as
 * one long (8 bytes): the float confidence's bits above a disagreement bit. Non-negative floats order like their
 * bits, so sorting the longs sorts by confidence.
 */
final class SelectiveRoutingAccumulator {

    /** 0, 1, ..., 100 percent of the positions. */
    static final int STEPS = 100;

    private long[] positions = new long[256];
    private int size;
    private long disagreements;

    /** A NaN confidence (a row without a finite score) counts as 0: such answers are the first to re-send. */
    void add(double confidence, boolean disagrees) {
        float c = Double.isNaN(confidence) ? 0f : (float) Math.max(0, Math.min(1, confidence));
        if (size == positions.length) {
            positions = Arrays.copyOf(positions, positions.length * 2);
        }
        positions[size++] = ((long) Float.floatToIntBits(c) << 1) | (disagrees ? 1 : 0);
        if (disagrees) {
            disagreements++;
        }
    }

    /** The curve, or null when no position was added. */
    SelectiveRoutingCurve curve(String confidence) {
        if (size == 0) {
            return null;
        }
        long[] sorted = Arrays.copyOf(positions, size);
        Arrays.sort(sorted);
        List<SelectiveRoutingCurve.Point> points = new ArrayList<>();
        int routed = 0;
        long recovered = 0;
        float previous = Float.NaN;
        for (int step = 0; step <= STEPS; step++) {
            // The smallest confidence at or below which at least step% of the positions lie.
            long atLeast = ((long) step * size + STEPS - 1) / STEPS;
            float threshold = atLeast == 0 ? 0f : confidenceOf(sorted[(int) atLeast - 1]);
            if (threshold == previous) {
                continue;
            }
            while (routed < size && confidenceOf(sorted[routed]) <= threshold) {
                recovered += sorted[routed] & 1;
                routed++;
            }
            points.add(new SelectiveRoutingCurve.Point(threshold, (double) routed / size,
                    disagreements == 0 ? 1.0 : (double) recovered / disagreements));
            previous = threshold;
        }
        return new SelectiveRoutingCurve(confidence, size, disagreements, points);
    }

    private static float confidenceOf(long position) {
        return Float.intBitsToFloat((int) (position >>> 1));
    }
}
