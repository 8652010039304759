package io.qreg.registry.variant;

import java.sql.Timestamp;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.tag.SubjectTags;
import io.qreg.registry.tag.TagSubject;
import io.qreg.registry.tag.TagValue;
import io.qreg.registry.tag.Tags;
import io.qreg.registry.web.ApiException;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A variant's life after it was recorded: archiving (it stays, with its lineage and evidence, but leaves the
 * default lists and can be neither approved nor rolled out) and its tags.
 */
@Service
public class VariantLifecycle {

    private final JdbcTemplate jdbc;
    private final Tags tags;
    private final AuditLog audit;

    VariantLifecycle(JdbcTemplate jdbc, Tags tags, AuditLog audit) {
        this.jdbc = jdbc;
        this.tags = tags;
        this.audit = audit;
    }

    @Transactional
    public Archival archive(UUID id) {
        return setArchived(id, true);
    }

    @Transactional
    public Archival unarchive(UUID id) {
        return setArchived(id, false);
    }

    private Archival setArchived(UUID id, boolean archived) {
        Archival before = jdbc.query("select archived_at, archived_by from variant where id = ? for update",
                (rs, n) -> Archival.of(rs), id).stream().findFirst()
                .orElseThrow(() -> ApiException.notFound("variant", id));
        if (before.archived() == archived) {
            return before;
        }
        Archival after = archived ? Archival.of(Timestamps.now(), CurrentUser.username()) : Archival.ACTIVE;
        jdbc.update("update variant set archived_at = ?, archived_by = ? where id = ?",
                after.archivedAt() == null ? null : Timestamp.from(after.archivedAt()), after.archivedBy(), id);
        audit.record(archived ? "variant.archived" : "variant.unarchived", "variant", id.toString(), before, after,
                Map.of());
        return after;
    }

    /** Whether the variant is archived; 404 when it does not exist. */
    @Transactional(readOnly = true)
    public Archival archival(UUID id) {
        return jdbc.query("select archived_at, archived_by from variant where id = ?", (rs, n) -> Archival.of(rs), id)
                .stream().findFirst().orElseThrow(() -> ApiException.notFound("variant", id));
    }

    /** The archive state of each of {@code ids} that names a variant, in one query. */
    @Transactional(readOnly = true)
    public Map<UUID, Archival> archivals(Collection<UUID> ids) {
        Map<UUID, Archival> found = new HashMap<>();
        if (!ids.isEmpty()) {
            jdbc.query("select id, archived_at, archived_by from variant where id = any(?::uuid[])", rs -> {
                found.put(rs.getObject("id", UUID.class), Archival.of(rs));
            }, (Object) ids.toArray(UUID[]::new));
        }
        return found;
    }

    /** Refuses (409 naming {@code field}) to use an archived variant for {@code action}; 404 for an unknown one. */
    @Transactional(readOnly = true)
    public void requireActive(UUID id, String field, String action) {
        Archival archival;
        try {
            archival = archival(id);
        } catch (ApiException e) {
            throw new ApiException(e.status(), e.getMessage(), field);
        }
        if (archival.archived()) {
            throw archival.refusal(field, "variant " + id, action, "/api/v1/variants/" + id + "/unarchive");
        }
    }

    @Transactional
    public SubjectTags putTag(UUID id, String key, TagValue value) {
        archival(id);
        return tags.put(TagSubject.VARIANT, id, id.toString(), key, value);
    }

    @Transactional
    public SubjectTags removeTag(UUID id, String key) {
        archival(id);
        return tags.remove(TagSubject.VARIANT, id, id.toString(), key);
    }

    @Transactional(readOnly = true)
    public Map<String, String> tags(UUID id) {
        return tags.of(TagSubject.VARIANT, id);
    }

    @Transactional(readOnly = true)
    public Map<UUID, Map<String, String>> tags(List<UUID> ids) {
        return tags.of(TagSubject.VARIANT, ids);
    }
}
