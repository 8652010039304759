package io.qreg.registry.audit;

import java.time.Instant;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.RequiredArgsConstructor;

/** Reads the audit trail newest first (or, after a given event, oldest first), filtered by who, what and when. */
@Service
@RequiredArgsConstructor
public class AuditQuery {

    private final AuditEvents events;

    /** {@code afterSeq} set: only events after it, oldest first (the order an auditor replays the log in). */
    public record Filter(String actor, String action, String subjectType, String subjectId, Instant from,
            Instant to, Long afterSeq) {
    }

    @Transactional(readOnly = true)
    public Page<AuditEvent> find(Filter filter, Pageable pageable) {
        return events.page(filter, pageable);
    }
}
