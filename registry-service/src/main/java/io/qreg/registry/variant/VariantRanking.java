package io.qreg.registry.variant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * A read model: each model's variants (archived ones left out) ranked best first, by the quality drop of
 * their latest evaluation against the checkpoint (in the model task's metric), then the best benchmark's
 * speed-up, then the newest. Set-wise (hash joins over the models' variants), not a lookup per variant: a
 * model may have hundreds.
 */
@Component
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class VariantRanking {

    private final JdbcTemplate jdbc;

    /** Up to {@code limit} variant ids per model, best-ranked first, by model id (models without variants absent). */
    public Map<UUID, List<UUID>> bestFirst(UUID[] modelIds, int limit) {
        Map<UUID, List<UUID>> ranked = new LinkedHashMap<>();
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
        }, modelIds, limit);
        return ranked;
    }
}
