package io.qreg.registry.tag;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.qreg.registry.support.AdvisoryLocks;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import lombok.RequiredArgsConstructor;

/** The {@code subject_tag} rows, each assigning one key's value to a model, checkpoint or variant, in plain SQL. */
@Repository
@RequiredArgsConstructor
class TagAssignments {

    private final JdbcTemplate jdbc;
    private final AdvisoryLocks locks;

    /** Takes the transaction-scoped advisory lock of one subject's tags; held until the transaction ends. */
    void lock(TagSubject kind, UUID id) {
        locks.lock("subject_tag:" + kind.wireName() + ":" + id);
    }

    /** Sets {@code key} to {@code value}, replacing an older value. */
    void upsert(TagSubject kind, UUID id, String key, String value, Instant at, String by) {
        jdbc.update("""
                insert into subject_tag (subject_kind, subject_id, tag_key, tag_value, updated_at, updated_by)
                values (?, ?, ?, ?, ?, ?)
                on conflict (subject_kind, subject_id, tag_key)
                do update set tag_value = excluded.tag_value, updated_at = excluded.updated_at,
                              updated_by = excluded.updated_by""",
                kind.wireName(), id, key, value, Timestamp.from(at), by);
    }

    void delete(TagSubject kind, UUID id, String key) {
        jdbc.update("delete from subject_tag where subject_kind = ? and subject_id = ? and tag_key = ?",
                kind.wireName(), id, key);
    }

    /** The subject's tags by key, sorted. */
    Map<String, String> of(TagSubject kind, UUID id) {
        Map<String, String> tags = new TreeMap<>();
        jdbc.query("select tag_key, tag_value from subject_tag where subject_kind = ? and subject_id = ?",
                rs -> {
                    tags.put(rs.getString("tag_key"), rs.getString("tag_value"));
                }, kind.wireName(), id);
        return tags;
    }

    /** The tags of each of {@code ids} in one query; a subject without tags maps to an empty map. */
    Map<UUID, Map<String, String>> of(TagSubject kind, Collection<UUID> ids) {
        Map<UUID, Map<String, String>> tags = new HashMap<>();
        ids.forEach(id -> tags.put(id, new TreeMap<>()));
        if (ids.isEmpty()) {
            return tags;
        }
        jdbc.query("select subject_id, tag_key, tag_value from subject_tag where subject_kind = ?"
                + " and subject_id = any(?::uuid[])", rs -> {
                    tags.computeIfAbsent(rs.getObject("subject_id", UUID.class), k -> new TreeMap<>())
                            .put(rs.getString("tag_key"), rs.getString("tag_value"));
                }, kind.wireName(), ids.toArray(UUID[]::new));
        return tags;
    }

    List<UUID> subjectsWith(TagSubject kind, TagFilter filter) {
        return jdbc.queryForList("select subject_id from subject_tag where subject_kind = ? and tag_key = ?"
                + " and tag_value = ?", UUID.class, kind.wireName(), filter.key(), filter.value());
    }

    List<String> inUse(TagSubject kind, int limit) {
        return jdbc.queryForList("select distinct tag_key || ':' || tag_value from subject_tag where subject_kind = ?"
                + " order by 1 limit ?", String.class, kind.wireName(), limit);
    }
}
