package io.qreg.registry.model;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.SqlTimestamps;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * A read model: how many variants each of a page of models has, and when each last saw activity (the newest
 * of its checkpoints, variants, jobs (created, started or finished) and approval requests (requested or
 * decided)). One query for the whole page, each table aggregated once over the page's models.
 */
@Component
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class ModelActivity {

    /** A model's variant count and last activity (null when nothing happened to it). */
    public record Activity(long variantCount, Instant lastActivity) {
    }

    private final JdbcTemplate jdbc;

    /** The activity of each model of {@code ids} that exists, by model id. */
    public Map<UUID, Activity> of(UUID[] ids) {
        Map<UUID, Activity> activities = new HashMap<>();
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
            activities.put(rs.getObject("id", UUID.class),
                    new Activity(rs.getLong("n"), SqlTimestamps.instant(rs, "last_activity")));
        }, ids, ids, ids, ids, ids);
        return activities;
    }
}
