package io.qreg.registry.approval;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.qreg.registry.policy.Evidence;
import io.qreg.registry.security.Role;

/**
 * A request to let a variant serve a deployment's tier in an environment, and the aggregate that
 * guards its life: PENDING until every required sign-off is in (APPROVED) or someone rejects it
 * (REJECTED); an open request (PENDING or APPROVED) lapses when its time is up (EXPIRED) or its
 * evidence changes (VOID). Every refusal is decided before anything is changed.
 */
final class Approval {

    private final UUID id;
    private final UUID variantId;
    private final String modelName;
    private final String deployment;
    private final String environment;
    private final String tier;
    private ApprovalStatus status;
    private String statusReason;
    private final List<SignoffRequirement> required;
    private final List<IneligibleSigner> ineligible;
    private final Evidence evidence;
    private final boolean verdictPassed;
    private final String overrideReason;
    private final List<String> failedChecks;
    private final String requestedBy;
    private final Instant requestedAt;
    private final Instant expiresAt;
    private Instant decidedAt;
    private final List<Signoff> signoffs;
    private final long version;
    private Signoff added;

    Approval(UUID id, UUID variantId, String modelName, String deployment, String environment, String tier,
            ApprovalStatus status, String statusReason, List<SignoffRequirement> required,
            List<IneligibleSigner> ineligible, Evidence evidence, boolean verdictPassed, String overrideReason,
            List<String> failedChecks, String requestedBy, Instant requestedAt, Instant expiresAt, Instant decidedAt,
            List<Signoff> signoffs, long version) {
        this.id = id;
        this.variantId = variantId;
        this.modelName = modelName;
        this.deployment = deployment;
        this.environment = environment;
        this.tier = tier;
        this.status = status;
        this.statusReason = statusReason;
        this.required = List.copyOf(required);
        this.ineligible = List.copyOf(ineligible);
        this.evidence = evidence;
        this.verdictPassed = verdictPassed;
        this.overrideReason = overrideReason;
        this.failedChecks = List.copyOf(failedChecks);
        this.requestedBy = requestedBy;
        this.requestedAt = requestedAt;
        this.expiresAt = expiresAt;
        this.decidedAt = decidedAt;
        this.signoffs = new ArrayList<>(signoffs);
        this.version = version;
    }

    /** A new PENDING request, bound to the evidence its verdict rested on. */
    static Approval requested(UUID variantId, String modelName, String deployment, String environment, String tier,
            List<SignoffRequirement> required, List<IneligibleSigner> ineligible, Evidence evidence,
            boolean verdictPassed, String overrideReason, List<String> failedChecks, String requestedBy, Instant now,
            Instant expiresAt) {
        return new Approval(UUID.randomUUID(), variantId, modelName, deployment, environment, tier,
                ApprovalStatus.PENDING, null, required, ineligible, evidence, verdictPassed, overrideReason,
                failedChecks, requestedBy, now, expiresAt, null, List.of(), 0);
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
        } else if (required.stream().allMatch(r -> remaining(r) == 0)) {
            status = ApprovalStatus.APPROVED;
            statusReason = "every required sign-off is in";
            decidedAt = now;
        }
        return signoff;
    }

    boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** An open request whose time is up. */
    void expire(Instant now) {
        requireOpen("expire");
        status = ApprovalStatus.EXPIRED;
        statusReason = "expired at " + expiresAt + " before it was used; request approval again";
        decidedAt = now;
    }

    /** An open request whose evidence is no longer what it was bound to. */
    void voidBecause(String reason, Instant now) {
        requireOpen("become VOID");
        status = ApprovalStatus.VOID;
        statusReason = reason;
        decidedAt = now;
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
            throw new IllegalApprovalTransitionException(status, "approval " + id + " is " + status
                    + (statusReason == null ? "" : " (" + statusReason + ")") + " and cannot be " + action
                    + "; that needs " + expected);
        }
    }

    private void requireOpen(String action) {
        if (!status.isOpen()) {
            throw new IllegalApprovalTransitionException(status, "approval " + id + " is " + status
                    + " and cannot " + action + "; only PENDING or APPROVED approvals can");
        }
    }

    UUID id() {
        return id;
    }

    UUID variantId() {
        return variantId;
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
