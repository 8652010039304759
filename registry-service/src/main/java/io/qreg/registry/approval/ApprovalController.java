package io.qreg.registry.approval;

import java.util.UUID;

import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;

import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** Approval requests and their sign-offs over HTTP. */
@RestController
@RequestMapping("/api/v1/approvals")
@RequiredArgsConstructor
class ApprovalController {

    private final ApprovalService approvals;

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    ApprovalView request(@RequestBody(required = false) ApprovalService.NewApproval body) {
        return approvals.request(body);
    }

    @GetMapping("/{id}")
    ApprovalView get(@PathVariable UUID id) {
        return approvals.get(id);
    }

    /** Answers with the approval as the sign-off left it. */
    @PostMapping("/{id}/signoffs")
    ApprovalView sign(@PathVariable UUID id, @RequestBody(required = false) ApprovalService.NewSignoff body) {
        return approvals.sign(id, body);
    }

    @GetMapping
    PageResponse<ApprovalView> list(@RequestParam(required = false) String status,
            @RequestParam(defaultValue = "false") boolean mine, @RequestParam(required = false) UUID variantId,
            @RequestParam(required = false) UUID checkpointId,
            @RequestParam(required = false) String deployment, @RequestParam(required = false) String environment,
            @RequestParam(required = false) String tier, @RequestParam(required = false) String requestedBy,
            @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
        return PageResponse.of(approvals.search(status, mine, variantId, checkpointId, deployment, environment, tier, requestedBy,
                Pagination.of(page, size, Sort.by(Sort.Direction.DESC, "requestedAt"))), a -> a);
    }
}
