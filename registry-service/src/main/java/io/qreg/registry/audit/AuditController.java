package io.qreg.registry.audit;

import java.time.Instant;

import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;

import org.springframework.data.domain.Sort;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The audit trail over HTTP: read it, and check that nobody rewrote it. */
@RestController
@RequestMapping("/api/v1/audit")
class AuditController {

    private final AuditQuery query;
    private final AuditLog log;

    AuditController(AuditQuery query, AuditLog log) {
        this.query = query;
        this.log = log;
    }

    @GetMapping
    PageResponse<AuditEvent> list(@RequestParam(required = false) String actor,
            @RequestParam(required = false) String action, @RequestParam(required = false) String subjectType,
            @RequestParam(required = false) String subjectId, @RequestParam(required = false) Instant from,
            @RequestParam(required = false) Instant to, @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        var filter = new AuditQuery.Filter(actor, action, subjectType, subjectId, from, to);
        return PageResponse.of(query.find(filter, Pagination.of(page, size, Sort.unsorted())), e -> e);
    }

    @GetMapping("/verify")
    ChainVerification verify() {
        return log.verify();
    }
}
