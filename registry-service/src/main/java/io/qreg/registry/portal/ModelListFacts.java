package io.qreg.registry.portal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.model.ModelActivity;
import io.qreg.registry.policy.PolicyService;
import io.qreg.registry.policy.Verdict;
import io.qreg.registry.variant.VariantRanking;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.variant.VariantView;

import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * What the model list says of each model on the page beyond its own row: how many variants it has,
 * its best passing variant and its last activity ({@link ModelActivity}). A few queries for the whole
 * page, never some per model, because the list pages through registries with hundreds of variants per model.
 *
 * <p>"Best passing": of the variants whose verdict under the model's policy passes now (the same
 * {@link PolicyService} verdict the model and variant pages show), the one with the smallest quality
 * drop against its checkpoint, then the highest speed-up. SQL ranks the variants by those two figures
 * (the latest evaluation's, the best benchmark's: {@link VariantRanking}); the policy then judges them in
 * that order, a few at a time, and stops at the first round that finds a passing one. It judges at most
 * {@link #MAX_JUDGED} per model, so a model whose every variant fails costs a bounded amount.
 */
@Component
@RequiredArgsConstructor
class ModelListFacts {

    /** How many of a model's best-ranked variants the policy judges at most before the list says none passes. */
    static final int MAX_JUDGED = 64;
    /**
     * The variants judged per model in each round. Most models' best-ranked variant passes, so the first round
     * reads one per model (reading a variant's measurements is what a round costs); later rounds widen.
     */
    private static final int[] ROUNDS = {1, 7, MAX_JUDGED - 8};

    private final ModelActivity activities;
    private final VariantRanking ranking;
    private final VariantService variants;
    private final PolicyService policies;

    /** A model's passing variant with the best quality, as the list shows it. */
    public record BestVariant(UUID id, String shortId, String precisionLabel, String quality, String speedup) {
    }

    /** What the list adds to a model's row; {@code best} is null when no judged variant passes. */
    public record Facts(long variantCount, BestVariant best, Instant lastActivity) {

        static final Facts NONE = new Facts(0, null, null);
    }

    Map<UUID, Facts> of(Collection<UUID> modelIds, Map<UUID, String> tasks) {
        if (modelIds.isEmpty()) {
            return Map.of();
        }
        UUID[] ids = modelIds.toArray(UUID[]::new);
        Map<UUID, ModelActivity.Activity> activity = activities.of(ids);
        Map<UUID, BestVariant> best = bestPassing(ranking.bestFirst(ids, MAX_JUDGED), tasks);
        Map<UUID, Facts> facts = new HashMap<>();
        for (UUID id : modelIds) {
            ModelActivity.Activity a = activity.get(id);
            facts.put(id, new Facts(a == null ? 0L : a.variantCount(), best.get(id),
                    a == null ? null : a.lastActivity()));
        }
        return facts;
    }

    /** Judges each model's candidates round by round; a model leaves the walk at its first round with a pass. */
    private Map<UUID, BestVariant> bestPassing(Map<UUID, List<UUID>> ranked, Map<UUID, String> tasks) {
        Map<UUID, BestVariant> best = new HashMap<>();
        int from = 0;
        for (int size : ROUNDS) {
            Map<UUID, List<UUID>> round = new LinkedHashMap<>();
            for (Map.Entry<UUID, List<UUID>> model : ranked.entrySet()) {
                List<UUID> candidates = model.getValue();
                if (!best.containsKey(model.getKey()) && from < candidates.size()) {
                    round.put(model.getKey(), candidates.subList(from, Math.min(candidates.size(), from + size)));
                }
            }
            if (round.isEmpty()) {
                break;
            }
            List<VariantView> views = variants.full(round.values().stream().flatMap(List::stream).toList());
            Map<UUID, Verdict> verdicts = policies.verdicts(views);
            Map<UUID, UUID> modelOf = new HashMap<>();
            round.forEach((model, ids) -> ids.forEach(id -> modelOf.put(id, model)));
            Map<UUID, List<VariantView>> passing = new HashMap<>();
            for (VariantView v : views) {
                if (verdicts.get(v.id()).passed()) {
                    passing.computeIfAbsent(modelOf.get(v.id()), k -> new ArrayList<>()).add(v);
                }
            }
            passing.forEach((model, passed) -> {
                String task = tasks.get(model);
                VariantView top = passed.stream().min(Comparator
                        .comparing((VariantView v) -> drop(task, v), Comparator.nullsLast(Comparator.naturalOrder()))
                        .thenComparing(ModelListFacts::bestSpeedup, Comparator.nullsLast(Comparator.reverseOrder()))
                        .thenComparing(VariantView::createdAt, Comparator.reverseOrder())).orElseThrow();
                VariantFigures.Quality quality = VariantFigures.quality(task, top);
                best.put(model, new BestVariant(top.id(), Figures.shortId(top.id()), top.precisionLabel(),
                        quality.value() == null ? null : quality.label() + " " + quality.display(),
                        bestSpeedup(top) == null ? null : Figures.speedup(bestSpeedup(top))));
            });
            from += size;
        }
        return best;
    }

    /** The quality lost against the checkpoint, larger is worse, in the page's units (pp or %); null unmeasured. */
    private static Double drop(String task, VariantView v) {
        VariantFigures.Quality quality = VariantFigures.quality(task, v);
        if (quality.value() == null) {
            return null;
        }
        return quality.lowerIsBetter() ? quality.value() : -quality.value();
    }

    /** The best speed-up over the latest benchmark on each hardware target; null when never benchmarked. */
    private static Double bestSpeedup(VariantView v) {
        return VariantFigures.latestPerTarget(v).values().stream().map(VariantView.BenchmarkView::speedup)
                .filter(s -> s != null).max(Double::compare).orElse(null);
    }
}
