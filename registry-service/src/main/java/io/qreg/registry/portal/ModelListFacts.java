package io.qreg.registry.portal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.policy.PolicyService;
import io.qreg.registry.policy.Verdict;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.variant.VariantView;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the model list says of each model on the page beyond its own row: how many variants it has,
 * its best passing variant and its last activity. A few queries for the whole page, never some per
 * model, because the list pages through registries with hundreds of variants per model.
 *
 * <p>"Best passing": of the variants whose verdict under the model's policy passes now (the same
 * {@link PolicyService} verdict the model and variant pages show), the one with the smallest quality
 * drop against its checkpoint, then the highest speed-up. SQL ranks the variants by those two figures
 * (the latest evaluation's, the best benchmark's); the policy then judges them in that order, a few at
 * a time, and stops at the first round that finds a passing one. It judges at most
 * {@link #MAX_JUDGED} per model, so a model whose every variant fails costs a bounded amount.
 */
@Component
class ModelListFacts {

    /** How many of a model's best-ranked variants the policy judges at most before the list says none passes. */
    static final int MAX_JUDGED = 64;
    /**
     * The variants judged per model in each round. Most models' best-ranked variant passes, so the first round
     * reads one per model (reading a variant's measurements is what a round costs); later rounds widen.
     */
    private static final int[] ROUNDS = {1, 7, MAX_JUDGED - 8};

    private final JdbcTemplate jdbc;
    private final VariantService variants;
    private final PolicyService policies;

    ModelListFacts(JdbcTemplate jdbc, VariantService variants, PolicyService policies) {
        this.jdbc = jdbc;
        this.variants = variants;
        this.policies = policies;
    }

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
        Map<UUID, Long> counts = new HashMap<>();
        Map<UUID, Instant> activity = new HashMap<>();
        // Last activity: the newest of its checkpoints, variants, jobs (created, started or finished)
        // and approval requests (requested or decided), each aggregated once over the page's models.
        jdbc.query("""
                select m.id, v.n, greatest(c.at, v.at, j.at, a.at) as last_activity
                from model m
                left join (select model_id, max(created_at) as at from checkpoint where model_id = any(?::uuid[])
                           group by model_id) c on c.model_id = m.id
                left join (select model_id, count(*) as n, max(created_at) as at from variant
                           where model_id = any(?::uuid[]) group by model_id) v on v.model_id = m.id
                left join (select c.model_id, max(greatest(j.created_at, j.started_at, j.finished_at)) as at
                           from job j join checkpoint c on c.id = j.checkpoint_id where c.model_id = any(?::uuid[])
                           group by c.model_id) j on j.model_id = m.id
                left join (select model_name, max(greatest(requested_at, decided_at)) as at from approval
                           where model_name in (select name from model where id = any(?::uuid[]))
                           group by model_name) a on a.model_name = m.name
                where m.id = any(?::uuid[])
                """, rs -> {
            UUID id = rs.getObject("id", UUID.class);
            counts.put(id, rs.getLong("n"));
            Timestamp at = rs.getTimestamp("last_activity");
            if (at != null) {
                activity.put(id, at.toInstant());
            }
        }, ids, ids, ids, ids, ids);
        Map<UUID, BestVariant> best = bestPassing(ranked(ids), tasks);
        Map<UUID, Facts> facts = new HashMap<>();
        for (UUID id : modelIds) {
            facts.put(id, new Facts(counts.getOrDefault(id, 0L), best.get(id), activity.get(id)));
        }
        return facts;
    }

    /** Each model's variants (archived ones left out), best-ranked first, up to {@link #MAX_JUDGED}. */
    private Map<UUID, List<UUID>> ranked(UUID[] modelIds) {
        Map<UUID, List<UUID>> ranked = new LinkedHashMap<>();
        // Set-wise (hash joins over the page's variants), not a lookup per variant: a model may have hundreds.
        jdbc.query("""
                with v as (
                  select v.id, v.model_id, v.created_at, m.task from variant v join model m on m.id = v.model_id
                  where v.model_id = any(?::uuid[]) and v.archived_at is null),
                latest as (
                  select distinct on (e.variant_id) e.variant_id, case
                      when v.task = 'language-model' then
                        ((e.metrics ->> 'perplexity')::float8 - coalesce((e.reference_metrics ->> 'perplexity')::float8,
                            (e.metrics ->> 'perplexity')::float8 - (e.deltas ->> 'perplexity')::float8))
                        / nullif(coalesce((e.reference_metrics ->> 'perplexity')::float8,
                            (e.metrics ->> 'perplexity')::float8 - (e.deltas ->> 'perplexity')::float8), 0) * 100
                      when v.task = 'embedding' then -(e.deltas ->> 'recall10')::float8 * 100
                      else -(e.deltas ->> 'accuracy')::float8 * 100 end as drop
                  from evaluation e join v on v.id = e.variant_id
                  order by e.variant_id, e.created_at desc, e.id desc),
                fastest as (
                  select b.variant_id, max(b.speedup) as speedup from benchmark b join v on v.id = b.variant_id
                  group by b.variant_id)
                select model_id, id from (
                  select v.model_id, v.id, row_number() over (partition by v.model_id
                         order by l.drop asc nulls last, f.speedup desc nulls last, v.created_at desc, v.id) as rank
                  from v left join latest l on l.variant_id = v.id left join fastest f on f.variant_id = v.id) r
                where rank <= ?
                order by model_id, rank
                """, rs -> {
            ranked.computeIfAbsent(rs.getObject("model_id", UUID.class), k -> new ArrayList<>())
                    .add(rs.getObject("id", UUID.class));
        }, modelIds, MAX_JUDGED);
        return ranked;
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
