package io.qreg.registry.variant;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.tag.SubjectTags;
import io.qreg.registry.tag.TagSubject;
import io.qreg.registry.tag.TagValue;
import io.qreg.registry.tag.Tags;
import io.qreg.registry.web.ApiException;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * A variant's life after it was recorded: archiving (it stays, with its lineage and evidence, but leaves the
 * default lists and can be neither approved nor rolled out) and its tags.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class VariantLifecycle {

    private final Variants variants;
    private final Tags tags;
    private final AuditLog audit;

    /** Archives the variant ({@code archived}) or makes it active again. Idempotent. */
    @Transactional
    public Archival setArchived(UUID id, boolean archived) {
        Archival before = variants.lockArchival(id).orElseThrow(() -> ApiException.notFound("variant", id));
        if (before.archived() == archived) {
            return before;
        }
        Archival after = Archival.after(archived, CurrentUser.username());
        variants.setArchival(id, after);
        audit.record(Archival.auditAction("variant", archived), "variant", id.toString(), before, after, Map.of());
        return after;
    }

    /** Whether the variant is archived; 404 when it does not exist. */
    @Transactional(readOnly = true)
    public Archival archival(UUID id) {
        return variants.archival(id).orElseThrow(() -> ApiException.notFound("variant", id));
    }

    /** The archive state of each of {@code ids} that names a variant, in one query. */
    @Transactional(readOnly = true)
    public Map<UUID, Archival> archivals(Collection<UUID> ids) {
        return variants.archivals(ids);
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
