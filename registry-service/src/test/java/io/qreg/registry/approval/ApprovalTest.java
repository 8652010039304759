package io.qreg.registry.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.registry.support.IllegalTransitionException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.qreg.registry.policy.Evidence;
import io.qreg.registry.security.Role;

import org.junit.jupiter.api.Test;

/**
 * The approval aggregate on its own: the sign-offs that decide it, the refusals that change nothing,
 * expiry, lapse and new evidence, and the domain events each transition registers for its publication.
 */
class ApprovalTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant EXPIRES = NOW.plusSeconds(3600);
    private static final UUID VARIANT = UUID.randomUUID();
    private static final Evidence EVIDENCE = new Evidence("a".repeat(64), "recipe", null, List.of(UUID.randomUUID()),
            List.of(), "digest-1");
    private static final Set<Role> APPROVER = Set.of(Role.APPROVER);
    private static final Set<Role> RISK = Set.of(Role.RISK_OFFICER);

    /** A request needing two approvers and one risk officer; the requester may not sign it. */
    private static Approval requested(String overrideReason) {
        return Approval.requested(ApprovalSubject.of(VARIANT, null), "support-intent", "support", "production",
                "premium", List.of(new SignoffRequirement(Role.APPROVER, 2, List.of("risk tier high")),
                        new SignoffRequirement(Role.RISK_OFFICER, 1, List.of("risk tier high"))),
                List.of(new IneligibleSigner("alice", "requested it")), EVIDENCE, overrideReason == null,
                overrideReason, overrideReason == null ? List.of() : List.of("accuracy (a100)"), "alice", NOW,
                EXPIRES);
    }

    private static Approval pending() {
        return withoutEvents(requested(null));
    }

    /** The same approval with its registration already published, so a test sees only what follows. */
    private static Approval withoutEvents(Approval a) {
        return new Approval(a.id(), a.subject(), a.modelName(), a.deployment(), a.environment(), a.tier(), a.status(),
                a.statusReason(), a.required(), a.ineligible(), a.evidence(), a.evidenceUpdatedAt(),
                a.lapsedChecks(), a.verdictPassed(), a.overrideReason(), a.failedChecks(), a.requestedBy(),
                a.requestedAt(), a.expiresAt(), a.decidedAt(), a.usedAt(), a.signoffs(), a.version());
    }

    private static Approval approved() {
        Approval a = pending();
        a.sign("bob", APPROVER, Decision.APPROVE, null, NOW);
        a.sign("carol", APPROVER, Decision.APPROVE, null, NOW);
        a.sign("dave", RISK, Decision.APPROVE, "ok", NOW.plusSeconds(5));
        return withoutEvents(a);
    }

    @Test
    void aNewRequestIsPendingAndRegistersApprovalRequested() {
        Approval a = requested(null);
        assertThat(a.status()).isEqualTo(ApprovalStatus.PENDING);
        assertThat(a.outstanding()).extracting(SignoffRequirement::role, SignoffRequirement::count)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Role.APPROVER, 2),
                        org.assertj.core.groups.Tuple.tuple(Role.RISK_OFFICER, 1));
        assertThat(a.pendingEvents()).containsExactly(new ApprovalRequested(a.id(), VARIANT, null, "support-intent",
                "support", "production", "premium", ApprovalStatus.PENDING, "alice", false));
    }

    @Test
    void anOverriddenRequestSaysSoInItsEvent() {
        Approval a = requested("the accuracy drop is within what support accepts");
        assertThat(a.pendingEvents()).singleElement().isInstanceOf(ApprovalRequested.class)
                .extracting(e -> ((ApprovalRequested) e).override()).isEqualTo(true);
    }

    @Test
    void everyRequiredSignoffMakesItApprovedAndOnlyTheLastRegistersApprovalDecided() {
        Approval a = pending();
        a.sign("bob", APPROVER, Decision.APPROVE, null, NOW);
        a.sign("carol", APPROVER, Decision.APPROVE, null, NOW);
        assertThat(a.status()).isEqualTo(ApprovalStatus.PENDING);
        assertThat(a.outstanding()).extracting(SignoffRequirement::role).containsExactly(Role.RISK_OFFICER);
        assertThat(a.pendingEvents()).isEmpty();

        Signoff last = a.sign("dave", RISK, Decision.APPROVE, "ok", NOW.plusSeconds(5));
        assertThat(last.role()).isEqualTo(Role.RISK_OFFICER);
        assertThat(a.status()).isEqualTo(ApprovalStatus.APPROVED);
        assertThat(a.decidedAt()).isEqualTo(NOW.plusSeconds(5));
        assertThat(a.signedBy(Role.APPROVER)).containsExactly("bob", "carol");
        assertThat(a.added()).contains(last);
        assertThat(a.pendingEvents()).containsExactly(new ApprovalDecided(a.id(), VARIANT, null, "support-intent",
                "support", "production", "premium", ApprovalStatus.APPROVED, "dave", "every required sign-off is in"));
    }

    @Test
    void oneRejectionDecidesItAndNamesTheRejecter() {
        Approval a = pending();
        a.sign("bob", APPROVER, Decision.APPROVE, null, NOW);
        a.sign("dave", RISK, Decision.REJECT, "latency too high", NOW);
        assertThat(a.status()).isEqualTo(ApprovalStatus.REJECTED);
        assertThat(a.statusReason()).isEqualTo("rejected by dave: latency too high");
        assertThat(a.pendingEvents()).singleElement().isEqualTo(new ApprovalDecided(a.id(), VARIANT, null,
                "support-intent", "support", "production", "premium", ApprovalStatus.REJECTED, "dave",
                "rejected by dave: latency too high"));
    }

    @Test
    void separationOfDutiesAndTheRulesRefuseSignoffsWithoutChangingAnything() {
        Approval a = pending();
        a.sign("bob", APPROVER, Decision.APPROVE, null, NOW);
        assertRefused(a, "alice", APPROVER, true, "separation of duties: alice requested it");
        assertRefused(a, "bob", APPROVER, false, "bob has already signed");
        assertRefused(a, "erin", Set.of(Role.ADMIN, Role.ENGINEER), true, "holds none of these roles");
        a.sign("carol", APPROVER, Decision.APPROVE, null, NOW);
        assertRefused(a, "frank", APPROVER, false, "sign-offs approval " + a.id() + " needs are complete");
        assertThat(a.signoffs()).extracting(Signoff::username).containsExactly("bob", "carol");
        assertThat(a.status()).isEqualTo(ApprovalStatus.PENDING);
        assertThat(a.pendingEvents()).isEmpty();
    }

    private static void assertRefused(Approval a, String who, Set<Role> roles, boolean forbidden, String message) {
        List<Signoff> before = a.signoffs();
        assertThatThrownBy(() -> a.sign(who, roles, Decision.APPROVE, null, NOW))
                .isInstanceOf(SignoffRefusedException.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(((SignoffRefusedException) e).forbidden()).isEqualTo(forbidden));
        assertThat(a.signoffs()).isEqualTo(before);
    }

    @Test
    void aDecidedApprovalRefusesSignoffsByNamingItsState() {
        Approval a = approved();
        assertThatThrownBy(() -> a.sign("frank", RISK, Decision.REJECT, "late", NOW))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is APPROVED (every required sign-off is in) and cannot be signed")
                .satisfies(e -> assertThat(((IllegalTransitionException) e).state()).isEqualTo(ApprovalStatus.APPROVED));
        assertThat(a.status()).isEqualTo(ApprovalStatus.APPROVED);
        assertThat(a.signoffs()).hasSize(3);
        assertThat(a.pendingEvents()).isEmpty();
    }

    @Test
    void anUnusedOpenRequestExpiresWhenItsTimeIsUpAndRegistersWhoseReadRevealedIt() {
        Approval a = pending();
        assertThat(a.expiredAt(EXPIRES.minusSeconds(1))).isFalse();
        assertThat(a.expiredAt(EXPIRES)).isTrue();
        a.expire(EXPIRES, "bob");
        assertThat(a.status()).isEqualTo(ApprovalStatus.EXPIRED);
        assertThat(a.decidedAt()).isEqualTo(EXPIRES);
        assertThat(a.pendingEvents()).containsExactly(new ApprovalDecided(a.id(), VARIANT, null, "support-intent",
                "support", "production", "premium", ApprovalStatus.EXPIRED, "bob", a.statusReason()));
        assertThat(a.statusReason()).startsWith("expired at " + EXPIRES);
    }

    @Test
    void aUsedApprovalNoLongerExpiresAndIsMarkedUsedOnce() {
        Approval a = approved();
        assertThat(a.markUsed(NOW.plusSeconds(10))).isTrue();
        assertThat(a.markUsed(NOW.plusSeconds(20))).isFalse();
        assertThat(a.usedAt()).isEqualTo(NOW.plusSeconds(10));
        assertThat(a.expiredAt(EXPIRES.plusSeconds(3600))).isFalse();
        assertThat(a.pendingEvents()).isEmpty();
    }

    @Test
    void onlyAnApprovedRequestCanBeMarkedUsed() {
        Approval a = pending();
        assertThatThrownBy(() -> a.markUsed(NOW)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is PENDING and cannot be used; that needs APPROVED");
        assertThat(a.usedAt()).isNull();
    }

    @Test
    void aLapseRegistersApprovalDecidedThenApprovalLapsedWithTheFailingChecks() {
        Approval a = approved();
        a.lapse(List.of("accuracy (a100): 0.71 < 0.75"), "the policy fails on new evidence", NOW.plusSeconds(60),
                "worker-1");
        assertThat(a.status()).isEqualTo(ApprovalStatus.LAPSED);
        assertThat(a.lapsedChecks()).containsExactly("accuracy (a100): 0.71 < 0.75");
        assertThat(a.decidedAt()).isEqualTo(NOW.plusSeconds(60));
        assertThat(a.pendingEvents()).containsExactly(
                new ApprovalDecided(a.id(), VARIANT, null, "support-intent", "support", "production", "premium",
                        ApprovalStatus.LAPSED, "worker-1", "the policy fails on new evidence"),
                new ApprovalLapsed(a.id(), VARIANT, null, "support-intent", "support", "production", "premium",
                        List.of("accuracy (a100): 0.71 < 0.75"), "the policy fails on new evidence"));
    }

    @Test
    void newEvidenceThatStillPassesIsRecordedWithoutAnEvent() {
        Approval a = approved();
        Evidence newer = new Evidence("a".repeat(64), "recipe", null, List.of(UUID.randomUUID(), UUID.randomUUID()),
                List.of(), "digest-2");
        a.evidenceUpdated(newer, NOW.plusSeconds(30));
        assertThat(a.evidence()).isEqualTo(newer);
        assertThat(a.evidenceUpdatedAt()).isEqualTo(NOW.plusSeconds(30));
        assertThat(a.status()).isEqualTo(ApprovalStatus.APPROVED);
        assertThat(a.pendingEvents()).isEmpty();
    }

    @Test
    void aClosedApprovalRefusesExpiryLapseAndNewEvidenceAndStaysAsItWas() {
        Approval a = pending();
        a.sign("bob", APPROVER, Decision.REJECT, "wrong tier", NOW);
        Approval rejected = withoutEvents(a);
        assertThatThrownBy(() -> rejected.expire(EXPIRES, "bob")).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is REJECTED and cannot expire; only PENDING or APPROVED approvals can");
        assertThatThrownBy(() -> rejected.lapse(List.of("x"), "fails", NOW, "bob"))
                .isInstanceOf(IllegalTransitionException.class).hasMessageContaining("cannot lapse");
        assertThatThrownBy(() -> rejected.evidenceUpdated(EVIDENCE, NOW))
                .isInstanceOf(IllegalTransitionException.class).hasMessageContaining("cannot take new evidence");
        assertThat(rejected.status()).isEqualTo(ApprovalStatus.REJECTED);
        assertThat(rejected.statusReason()).isEqualTo("rejected by bob: wrong tier");
        assertThat(rejected.lapsedChecks()).isEmpty();
        assertThat(rejected.decidedAt()).isEqualTo(NOW);
        assertThat(rejected.pendingEvents()).isEmpty();
    }
}
