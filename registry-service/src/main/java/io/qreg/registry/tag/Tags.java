package io.qreg.registry.tag;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Stores, reads and removes the tags of a subject the caller has already resolved (so it exists). Every change
 * is audited with the subject's kind and its usual audit id (a model's name, a checkpoint's or variant's id).
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class Tags {

    private final TagAssignments assignments;
    private final AuditLog audit;

    /** Sets {@code key} to the body's value (replacing an older value); returns all the subject's tags. */
    @Transactional
    public SubjectTags put(TagSubject kind, UUID id, String auditId, String key, TagValue body) {
        TagRules.requireKey("key", key);
        TagRules.requireValue("value", body == null ? null : body.value());
        // One writer per subject at a time, so the count below and the write agree.
        assignments.lock(kind, id);
        Map<String, String> before = of(kind, id);
        if (!before.containsKey(key) && before.size() >= TagRules.MAX_TAGS) {
            throw new ApiException(HttpStatus.CONFLICT, kind.wireName() + " " + auditId + " already has "
                    + TagRules.MAX_TAGS + " tags, the most one may have; remove one first", "key");
        }
        assignments.upsert(kind, id, key, body.value(), Timestamps.now(), CurrentUser.username());
        Map<String, String> after = of(kind, id);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("key", key);
        details.put("value", body.value());
        if (before.containsKey(key)) {
            details.put("previousValue", before.get(key));
        }
        audit.record("tag.set", kind.wireName(), auditId, before, after, details);
        return new SubjectTags(kind.wireName(), auditId, after);
    }

    /** Removes {@code key}; 404 naming {@code key} when the subject has no such tag. */
    @Transactional
    public SubjectTags remove(TagSubject kind, UUID id, String auditId, String key) {
        Map<String, String> before = of(kind, id);
        if (!before.containsKey(key)) {
            throw new ApiException(HttpStatus.NOT_FOUND, kind.wireName() + " " + auditId + " has no tag '" + key
                    + "'; it has " + before.keySet(), "key");
        }
        assignments.delete(kind, id, key);
        Map<String, String> after = of(kind, id);
        audit.record("tag.removed", kind.wireName(), auditId, before, after,
                Map.of("key", key, "previousValue", before.get(key)));
        return new SubjectTags(kind.wireName(), auditId, after);
    }

    /** The subject's tags by key, sorted. */
    @Transactional(readOnly = true)
    public Map<String, String> of(TagSubject kind, UUID id) {
        return assignments.of(kind, id);
    }

    /** The tags of each of {@code ids} in one query; a subject without tags maps to an empty map. */
    @Transactional(readOnly = true)
    public Map<UUID, Map<String, String>> of(TagSubject kind, Collection<UUID> ids) {
        return assignments.of(kind, ids);
    }

    /** The ids of every subject of the kind with the filter's tag (for lists read through JPA, not SQL). */
    @Transactional(readOnly = true)
    public List<UUID> subjectsWith(TagSubject kind, TagFilter filter) {
        return assignments.subjectsWith(kind, filter);
    }

    /** Every key and value in use on subjects of the kind, for the portal's tag filter. */
    @Transactional(readOnly = true)
    public List<String> inUse(TagSubject kind, int limit) {
        return assignments.inUse(kind, limit);
    }
}
