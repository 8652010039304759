package io.qreg.registry.audit;

import java.time.Instant;

import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;

import org.springframework.data.domain.Sort;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** The audit trail over HTTP: read it, and check that nobody rewrote it. */
@RestController
@RequestMapping("/api/v1/audit")
@RequiredArgsConstructor
class AuditController {

    private final AuditQuery query;
    private final AuditVerifier verifier;

    /** Newest first; with {@code afterSeq}, the events after that seq oldest first (how an auditor pages through). */
    @GetMapping
    PageResponse<AuditEvent> list(@RequestParam(required = false) String actor,
            @RequestParam(required = false) String action, @RequestParam(required = false) String subjectType,
            @RequestParam(required = false) String subjectId, @RequestParam(required = false) Instant from,
            @RequestParam(required = false) Instant to, @RequestParam(required = false) Long afterSeq,
            @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
        if (afterSeq != null && afterSeq < 0) {
            throw ApiException.invalid("afterSeq", "afterSeq must be 0 or more, got " + afterSeq);
        }
        var filter = new AuditQuery.Filter(actor, action, subjectType, subjectId, from, to, afterSeq);
        return PageResponse.of(query.find(filter, Pagination.of(page, size, Sort.unsorted())), e -> e);
    }

    @GetMapping("/verify")
    ChainVerification verify() {
        return verifier.verify();
    }
}
