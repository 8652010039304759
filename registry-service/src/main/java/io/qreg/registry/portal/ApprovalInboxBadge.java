package io.qreg.registry.portal;

import io.qreg.registry.approval.ApprovalService;
import io.qreg.registry.web.PortalPage;

import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

import lombok.RequiredArgsConstructor;

/**
 * The count beside "Approvals" in the header of every portal page: the requests the signed-in
 * person could sign now. It costs one count query, and none for people who hold no signing role.
 */
@ControllerAdvice(annotations = PortalPage.class)
@RequiredArgsConstructor
class ApprovalInboxBadge {

    private final ApprovalService approvals;

    @ModelAttribute("awaitingSignoffCount")
    long awaitingSignoffCount() {
        return approvals.awaitingMySignoff();
    }
}
