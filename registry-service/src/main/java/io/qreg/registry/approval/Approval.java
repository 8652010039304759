package io.qreg.registry.approval;

import io.qreg.registry.support.AggregateRoot;
import io.qreg.registry.support.IllegalTransitionException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.qreg.registry.policy.Evidence;
import io.qreg.registry.security.Role;

/**
 * A request to let a variant (or the model's checkpoint itself) serve a deployment's tier in an
 * environment, and the aggregate that guards its life: PENDING until every required sign-off is in
 * (APPROVED) or someone rejects it (REJECTED). An open request (PENDING or APPROVED) runs out when its
 * time is up before any rollout used it (EXPIRED), and is judged again whenever its evidence or its
 * policy changes: still passing, it records the new evidence and stays as it was; failing, it LAPSES,
 * naming the failing checks. Every refusal is decided before anything is changed.
 *
 * <p>It registers its own events: {@link ApprovalRequested} when opened, {@link ApprovalDecided} when it
 * leaves PENDING for good or runs out, and {@link ApprovalLapsed} too when it lapses; who caused a change
 * it cannot know itself ({@code triggeredBy}) is passed in.
 */
final class Approval extends AggregateRoot {

    private final UUID id;
    private final ApprovalSubject subject;
    private final String modelName;
    private final String deployment;
    private final String environment;
    private final String tier;
    private ApprovalStatus status;
    private String statusReason;
    private final List<SignoffRequirement> required;
    private final List<IneligibleSigner> ineligible;
    private Evidence evidence;
    private Instant evidenceUpdatedAt;
    private List<String> lapsedChecks;
    private final boolean verdictPassed;
    private final String overrideReason;
    private final List<String> failedChecks;
    private final String requestedBy;
    private final Instant requestedAt;
    private final Instant expiresAt;
    private Instant decidedAt;
    private Instant usedAt;
    private final List<Signoff> signoffs;
    private final long version;
    private Signoff added;

    Approval(UUID id, ApprovalSubject subject, String modelName, String deployment, String environment, String tier,
            ApprovalStatus status, String statusReason, List<SignoffRequirement> required,
            List<IneligibleSigner> ineligible, Evidence evidence, Instant evidenceUpdatedAt, List<String> lapsedChecks,
            boolean verdictPassed, String overrideReason, List<String> failedChecks, String requestedBy,
            Instant requestedAt, Instant expiresAt, Instant decidedAt, Instant usedAt, List<Signoff> signoffs,
            long version) {
        this.id = id;
        this.subject = subject;
        this.modelName = modelName;
        this.deployment = deployment;
        this.environment = environment;
        this.tier = tier;
        this.status = status;
        this.statusReason = statusReason;
        this.required = List.copyOf(required);
        this.ineligible = List.copyOf(ineligible);
        this.evidence = evidence;
        this.evidenceUpdatedAt = evidenceUpdatedAt;
        this.lapsedChecks = List.copyOf(lapsedChecks);
        this.verdictPassed = verdictPassed;
        this.overrideReason = overrideReason;
        this.failedChecks = List.copyOf(failedChecks);
        this.requestedBy = requestedBy;
        this.requestedAt = requestedAt;
        this.expiresAt = expiresAt;
        this.decidedAt = decidedAt;
        this.usedAt = usedAt;
        this.signoffs = new ArrayList<>(signoffs);
        this.version = version;
    }

    /** A new PENDING request, bound to the evidence its verdict rested on. */
    static Approval requested(ApprovalSubject subject, String modelName, String deployment, String environment,
            String tier, List<SignoffRequirement> required, List<IneligibleSigner> ineligible, Evidence evidence,
            boolean verdictPassed, String overrideReason, List<String> failedChecks, String requestedBy, Instant now,
            Instant expiresAt) {
        Approval a = new Approval(UUID.randomUUID(), subject, modelName, deployment, environment, tier,
                ApprovalStatus.PENDING, null, required, ineligible, evidence, null, List.of(), verdictPassed,
                overrideReason, failedChecks, requestedBy, now, expiresAt, null, null, List.of(), 0);
        // Only an ADMIN's override of a failing verdict carries a reason.
        a.registerEvent(new ApprovalRequested(a.id, a.variantId(), a.checkpointId(), modelName, deployment,
                environment, tier, a.status, requestedBy, overrideReason != null));
        return a;
    }

    /**
     * Records one person's decision. Refused, with nothing changed, when the request is not
     * PENDING, the signer is barred by separation of duties or has signed already, holds none of
     * the required roles, or approves where their roles' requirements are already met.
     */
    Signoff sign(String username, Set<Role> roles, Decision decision, String comment, Instant now) {
        require(ApprovalStatus.PENDING, "signed");
        Optional<IneligibleSigner> barred = ineligible.stream().filter(i -> i.username().equals(username))
                .findFirst();
        if (barred.isPresent()) {
            throw new SignoffRefusedException(true, "separation of duties: " + username + " "
                    + barred.get().reason() + " and so cannot sign approval " + id);
        }
        if (signoffs.stream().anyMatch(s -> s.username().equals(username))) {
            throw new SignoffRefusedException(false, username + " has already signed approval " + id
                    + "; each person signs a request once");
        }
        List<SignoffRequirement> theirs = required.stream().filter(r -> roles.contains(r.role())).toList();
        if (theirs.isEmpty()) {
            throw new SignoffRefusedException(true, "approval " + id + " needs sign-offs from "
                    + required.stream().map(r -> r.role().name()).toList() + "; " + username + " holds none of"
                    + " these roles (ADMIN is not an approver)");
        }
        Optional<SignoffRequirement> open = theirs.stream().filter(r -> remaining(r) > 0).findFirst();
        if (decision == Decision.APPROVE && open.isEmpty()) {
            throw new SignoffRefusedException(false, "the " + theirs.stream().map(r -> r.role().name()).toList()
                    + " sign-offs approval " + id + " needs are complete; still required: " + outstanding());
        }
        Signoff signoff = new Signoff(username, open.orElse(theirs.get(0)).role(), decision, comment, now);
        signoffs.add(signoff);
        added = signoff;
        if (decision == Decision.REJECT) {
            status = ApprovalStatus.REJECTED;
            statusReason = "rejected by " + username + ": " + comment;
            decidedAt = now;
            registerDecided(username);
        } else if (required.stream().allMatch(r -> remaining(r) == 0)) {
            status = ApprovalStatus.APPROVED;
            statusReason = "every required sign-off is in";
            decidedAt = now;
            registerDecided(username);
        }
        return signoff;
    }

    /** Whether its time is up: only a request no rollout has used yet runs out. */
    boolean expiredAt(Instant now) {
        return usedAt == null && !now.isBefore(expiresAt);
    }

    /** An open request whose time is up; {@code triggeredBy} is whoever's read revealed it. */
    void expire(Instant now, String triggeredBy) {
        requireOpen("expire");
        status = ApprovalStatus.EXPIRED;
        statusReason = "expired at " + expiresAt + " before it was used; request approval again";
        decidedAt = now;
        registerDecided(triggeredBy);
    }

    /** A rollout moved traffic under it: from now on its time-to-live no longer applies. */
    boolean markUsed(Instant now) {
        if (usedAt != null) {
            return false;
        }
        require(ApprovalStatus.APPROVED, "used");
        usedAt = now;
        return true;
    }

    /** The policy judged new evidence and it still passes: the approval now stands on that evidence. */
    void evidenceUpdated(Evidence current, Instant now) {
        requireOpen("take new evidence");
        evidence = current;
        evidenceUpdatedAt = now;
    }

    /**
     * The policy judged new evidence, or a changed policy, and it fails: whatever it let serve may not.
     * {@code triggeredBy} is whoever recorded the evidence or policy, or read the approval.
     */
    void lapse(List<String> failing, String reason, Instant now, String triggeredBy) {
        requireOpen("lapse");
        status = ApprovalStatus.LAPSED;
        statusReason = reason;
        lapsedChecks = List.copyOf(failing);
        decidedAt = now;
        registerDecided(triggeredBy);
        registerEvent(new ApprovalLapsed(id, variantId(), checkpointId(), modelName, deployment, environment, tier,
                lapsedChecks, statusReason));
    }

    private void registerDecided(String actor) {
        registerEvent(new ApprovalDecided(id, variantId(), checkpointId(), modelName, deployment, environment, tier,
                status, actor, statusReason));
    }

    /** How many more approvals the requirement needs. */
    int remaining(SignoffRequirement r) {
        return Math.max(0, r.count() - signedBy(r.role()).size());
    }

    /** Who approved towards the requirement of a role, in signing order. */
    List<String> signedBy(Role role) {
        return signoffs.stream().filter(s -> s.role() == role && s.decision() == Decision.APPROVE)
                .map(Signoff::username).toList();
    }

    /** The requirements not yet met, as {role, count still needed}. */
    List<SignoffRequirement> outstanding() {
        return required.stream().filter(r -> remaining(r) > 0)
                .map(r -> new SignoffRequirement(r.role(), remaining(r), r.reasons())).toList();
    }

    private void require(ApprovalStatus expected, String action) {
        if (status != expected) {
            throw new IllegalTransitionException(status, "approval " + id + " is " + status
                    + (statusReason == null ? "" : " (" + statusReason + ")") + " and cannot be " + action
                    + "; that needs " + expected);
        }
    }

    private void requireOpen(String action) {
        if (!status.isOpen()) {
            throw new IllegalTransitionException(status, "approval " + id + " is " + status
                    + " and cannot " + action + "; only PENDING or APPROVED approvals can");
        }
    }

    UUID id() {
        return id;
    }

    ApprovalSubject subject() {
        return subject;
    }

    UUID variantId() {
        return subject.variantId();
    }

    UUID checkpointId() {
        return subject.checkpointId();
    }

    String modelName() {
        return modelName;
    }

    String deployment() {
        return deployment;
    }

    String environment() {
        return environment;
    }

    String tier() {
        return tier;
    }

    ApprovalStatus status() {
        return status;
    }

    String statusReason() {
        return statusReason;
    }

    List<SignoffRequirement> required() {
        return required;
    }

    List<IneligibleSigner> ineligible() {
        return ineligible;
    }

    Evidence evidence() {
        return evidence;
    }

    Instant evidenceUpdatedAt() {
        return evidenceUpdatedAt;
    }

    List<String> lapsedChecks() {
        return lapsedChecks;
    }

    Instant usedAt() {
        return usedAt;
    }

    boolean verdictPassed() {
        return verdictPassed;
    }

    String overrideReason() {
        return overrideReason;
    }

    List<String> failedChecks() {
        return failedChecks;
    }

    String requestedBy() {
        return requestedBy;
    }

    Instant requestedAt() {
        return requestedAt;
    }

    Instant expiresAt() {
        return expiresAt;
    }

    Instant decidedAt() {
        return decidedAt;
    }

    List<Signoff> signoffs() {
        return List.copyOf(signoffs);
    }

    long version() {
        return version;
    }

    /** The sign-off recorded since the approval was loaded, which the store has yet to write. */
    Optional<Signoff> added() {
        return Optional.ofNullable(added);
    }
}
