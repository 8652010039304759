package io.qreg.registry.demo;

import java.util.List;
import java.util.UUID;

import io.qreg.registry.approval.ApprovalStatus;
import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.approval.SignoffRequirement;
import io.qreg.registry.security.Role;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DemoSummaryTest {

    @Test
    void asksForSignOffsOnlyOnTheRequestsStillPendingAndNamesWhoCanSign() {
        String firstStart = DemoSummary.waiting(List.of(
                request(ApprovalStatus.PENDING, Role.APPROVER),
                request(ApprovalStatus.APPROVED),
                request(ApprovalStatus.PENDING, Role.APPROVER, Role.RISK_OFFICER)));
        assertThat(firstStart).isEqualTo("2 of 3 approval requests waiting for a sign-off: sign in as demo-approver"
                + " (password demo-approver-pass) or demo-risk-officer (password demo-risk-officer-pass) to sign.");

        // The approver signed both; the 4-bit one still needs the risk officer.
        String afterApproverSigned = DemoSummary.waiting(List.of(request(ApprovalStatus.APPROVED),
                request(ApprovalStatus.APPROVED), request(ApprovalStatus.PENDING, Role.RISK_OFFICER)));
        assertThat(afterApproverSigned).isEqualTo("1 of 3 approval requests waiting for a sign-off: sign in as"
                + " demo-risk-officer (password demo-risk-officer-pass) to sign.").doesNotContain("demo-approver");
    }

    @Test
    void saysNothingWaitsOnceEveryRequestIsSigned() {
        String allSigned = DemoSummary.waiting(List.of(request(ApprovalStatus.APPROVED),
                request(ApprovalStatus.APPROVED), request(ApprovalStatus.REJECTED)));
        assertThat(allSigned).isEqualTo("3 approval requests, none waiting for a sign-off.")
                .doesNotContain("sign in", "sign one");
    }

    private static ApprovalView request(ApprovalStatus status, Role... stillRequired) {
        List<SignoffRequirement> required = java.util.Arrays.stream(stillRequired)
                .map(role -> new SignoffRequirement(role, 1, List.of("policy"))).toList();
        return new ApprovalView(UUID.randomUUID(), UUID.randomUUID(), null, DemoData.DIGITS, DemoData.DEPLOYMENT,
                "production", "default", status, null, List.of(), List.of(), required, List.of(), "sha256:0",
                null, null, List.of(), true, null, DemoData.ENGINEER.username(), null, null, null, null, 1);
    }
}
