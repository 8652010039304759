package io.qreg.registry.portal;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.audit.AuditQuery;
import io.qreg.registry.web.Pagination;

import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The audit trail for people: filterable, newest first, with the chain verified on request. */
@Controller
class AuditPortalController {

    private final AuditQuery query;
    private final AuditLog log;

    AuditPortalController(AuditQuery query, AuditLog log) {
        this.query = query;
        this.log = log;
    }

    @GetMapping("/audit")
    String audit(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
            @RequestParam(required = false) String subjectType, @RequestParam(required = false) String subjectId,
            @RequestParam(required = false) Integer page, @RequestParam(defaultValue = "false") boolean verify,
            Model view) {
        var filter = new AuditQuery.Filter(actor, action, subjectType, subjectId, null, null);
        view.addAttribute("filter", filter);
        view.addAttribute("events", query.find(filter, Pagination.of(page, 50, Sort.unsorted())));
        // Walking the whole chain is work proportional to its length: only when asked.
        view.addAttribute("verification", verify ? log.verify() : null);
        return "audit";
    }
}
