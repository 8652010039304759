package io.qreg.registry.audit;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.qreg.registry.web.Pagination;
import io.qreg.registry.web.PortalPage;

import org.springframework.data.domain.Sort;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import lombok.RequiredArgsConstructor;

/** The audit trail for people: filterable, newest first, with the hash chain's latest verification. */
@PortalPage
@RequiredArgsConstructor
class AuditPortalController {

    private static final DateTimeFormatter CHECKED_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private final AuditQuery query;
    private final ChainMonitor chain;
    private final TreeHeads treeHeads;

    @GetMapping("/audit")
    String audit(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
            @RequestParam(required = false) String subjectType, @RequestParam(required = false) String subjectId,
            @RequestParam(required = false) Integer page, @RequestParam(defaultValue = "false") boolean verify,
            Model view) {
        var filter = new AuditQuery.Filter(actor, action, subjectType, subjectId, null, null, null);
        view.addAttribute("filter", filter);
        view.addAttribute("events", query.find(filter, Pagination.of(page, 50, Sort.unsorted())));
        // Walking the whole chain costs time proportional to its length: the page shows the background
        // monitor's latest walk, and walks now only when asked.
        ChainMonitor.Checked checked = verify ? chain.verifyNow() : chain.last().orElse(null);
        view.addAttribute("checked", checked);
        view.addAttribute("checkedAt", checked == null ? null : CHECKED_AT.format(checked.at()));
        view.addAttribute("verifiedOnRequest", verify);
        var newestHead = treeHeads.newest().orElse(null);
        view.addAttribute("treeHead", newestHead);
        view.addAttribute("treeHeadAt", newestHead == null ? null : CHECKED_AT.format(newestHead.timestamp()));
        return "audit";
    }
}
