package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A classifier's flip rate per class as the variant page shows it: the classes whose samples changed
 * prediction against the checkpoint, worst first and at most {@value #SHOWN} of them (a thousand-class model
 * would otherwise print a thousand rows of zeros), and how many classes kept every prediction.
 *
 * @param rows      the classes with at least one flip, highest flip rate first
 * @param classes   classes evaluated
 * @param unchanged classes without a single flip
 */
public record ClassFlipTable(List<Row> rows, int classes, int unchanged) {

    static final int SHOWN = 10;

    /** One class: its id, how many of its samples were evaluated and flipped, and the rate as shown. */
    public record Row(String classId, long samples, long flips, double flipRate, String display) {
    }

    /** The table of an evaluation's {@code flipRateByClass}, or null when the evaluation has none. */
    static ClassFlipTable of(Object flipRateByClass) {
        if (!(flipRateByClass instanceof Map<?, ?> byClass) || byClass.isEmpty()) {
            return null;
        }
        List<Row> flipped = new ArrayList<>();
        for (Map.Entry<?, ?> entry : byClass.entrySet()) {
            Double samples = Figures.number(entry.getValue(), "samples");
            Double flips = Figures.number(entry.getValue(), "flips");
            Double rate = Figures.number(entry.getValue(), "flipRate");
            if (samples != null && flips != null && rate != null && flips > 0) {
                flipped.add(new Row(String.valueOf(entry.getKey()), samples.longValue(), flips.longValue(), rate,
                        Figures.number(rate)));
            }
        }
        flipped.sort(Comparator.comparingDouble(Row::flipRate).reversed().thenComparing(Row::classId));
        return new ClassFlipTable(flipped.subList(0, Math.min(SHOWN, flipped.size())), byClass.size(),
                byClass.size() - flipped.size());
    }
}
