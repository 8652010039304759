package io.qreg.registry.approval;

import io.qreg.registry.support.IllegalTransitionException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.deployment.DeploymentService;
import io.qreg.registry.deployment.DeploymentView;
import io.qreg.registry.deployment.TierView;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.RiskTier;
import io.qreg.registry.policy.Verdict;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.security.Role;
import io.qreg.registry.support.DomainEventPublisher;
import io.qreg.registry.support.Text;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Opens approval requests, records sign-offs and answers rollouts' questions about them.
 *
 * <p>Whenever an approval is read, signed or checked through the {@link ApprovalGate}, the
 * {@link ApprovalReviewer} brings it up to date first (expiry; new evidence or policy judged again,
 * which may lapse it) and writes that before anything else happens; a refusal that follows does not undo it.
 *
 * <p>Concurrent writers are resolved optimistically. Each attempt is one transaction that reads the
 * approval, decides, and writes only if the row is still at the version it read; the loser of a
 * race is retried from the start on the fresh state, so two approvers signing at the same instant
 * both land without either seeing an error, and every rule is judged again on what the other wrote.
 */
@Service
public class ApprovalService implements ApprovalGate {

    /** A race between signers costs one retry; needing more than a few means something else is wrong. */
    static final int MAX_ATTEMPTS = 5;

    private final Approvals store;
    private final ApprovalSubjects subjects;
    private final ApprovalReviewer reviewer;
    private final ModelService models;
    private final AuditLog audit;
    private final DomainEventPublisher events;
    private final TransactionTemplate transaction;
    private final ApprovalSettings settings;
    private final DeploymentService deployments;

    ApprovalService(Approvals store, ApprovalSubjects subjects, ApprovalReviewer reviewer, ModelService models,
            AuditLog audit, DomainEventPublisher events, PlatformTransactionManager transactionManager,
            ApprovalSettings settings, DeploymentService deployments) {
        this.store = store;
        this.subjects = subjects;
        this.reviewer = reviewer;
        this.models = models;
        this.audit = audit;
        this.events = events;
        this.transaction = new TransactionTemplate(transactionManager);
        this.settings = settings;
        this.deployments = deployments;
    }

    /**
     * {@code POST /api/v1/approvals}: exactly one of {@code variantId} and {@code checkpointId} (the
     * model's checkpoint, served unquantized); {@code override} and {@code reason} serve an ADMIN
     * facing a failing verdict.
     */
    public record NewApproval(UUID variantId, UUID checkpointId, String deployment, String environment, String tier,
            Boolean override, String reason) {
    }

    /** {@code POST /api/v1/approvals/{id}/signoffs}. */
    public record NewSignoff(String decision, String comment) {
    }

    /** One attempt's answer: a value, or a refusal to throw once the attempt's writes are committed. */
    private record Outcome<T>(T value, ApiException refusal) {

        static <T> Outcome<T> of(T value) {
            return new Outcome<>(value, null);
        }

        static <T> Outcome<T> refused(ApiException refusal) {
            return new Outcome<>(null, refusal);
        }

        T get() {
            if (refusal != null) {
                throw refusal;
            }
            return value;
        }
    }

    // ---------------------------------------------------------------- request

    /**
     * Opens a request bound to the subject's current evidence; refused while its verdict fails unless
     * overridden, and refused outright when the checkpoint's licence does not fit the tier.
     */
    public ApprovalView request(NewApproval r) {
        ApprovalSubject subject = r == null ? null : ApprovalSubject.of(r.variantId(), r.checkpointId());
        if (subject == null) {
            throw ApiException.invalid("variantId", "name exactly one subject: variantId (a quantized variant) or"
                    + " checkpointId (the model's checkpoint, served unquantized)");
        }
        requireName("deployment", r.deployment());
        requireName("environment", r.environment());
        requireName("tier", r.tier());
        DeploymentView deployment = requireDeployment(r.deployment());
        deployment.requireActive("given new approvals");
        deployment.requireEnvironment(r.environment());
        TierView tier = deployment.requireTier(r.tier());
        boolean override = Boolean.TRUE.equals(r.override());
        String reason = r.reason() == null || r.reason().isBlank() ? null : r.reason().strip();
        if (reason != null && reason.length() > 2000) {
            throw ApiException.invalid("reason", "reason must be at most 2000 characters");
        }
        String requester = CurrentUser.username();
        boolean admin = CurrentUser.isAdmin();
        return attempt(now -> {
            ApprovalSubjects.Facts facts = subjects.facts(subject);
            subjects.requireActive(facts);
            if (!facts.modelName().equals(deployment.modelName())) {
                return Outcome.<ApprovalView>refused(ApiException.unprocessable(subject.describe() + " is of model '"
                        + facts.modelName() + "' but deployment '" + deployment.name() + "' serves model '"
                        + deployment.modelName() + "'"));
            }
            ApiException licence = licenceRefusal(facts.checkpoint(), tier);
            if (licence != null) {
                return Outcome.<ApprovalView>refused(licence);
            }
            for (UUID openId : store.openFor(subject, r.deployment(), r.environment(), r.tier())) {
                Approval open = reviewer.refreshed(reviewer.load(openId), now);
                if (open.status().isOpen()) {
                    return Outcome.<ApprovalView>refused(ApiException.conflict("approval " + open.id() + " for "
                            + subject.describe() + " to serve " + target(r.deployment(), r.environment(), r.tier())
                            + " is already " + open.status() + "; sign or read that one instead"));
                }
            }
            Verdict verdict = subjects.verdict(facts);
            List<String> failed = verdict.failedChecks().stream().map(Verdict.Check::summary).toList();
            if (verdict.passed() && override) {
                return Outcome.<ApprovalView>refused(ApiException.invalid("override", "the policy verdict of "
                        + subject.describe() + " passes; there is nothing to override"));
            }
            if (!verdict.passed()) {
                String failing = "the policy verdict of " + subject.describe() + " fails: " + String.join("; ", failed);
                if (!override) {
                    return Outcome.<ApprovalView>refused(ApiException.unprocessable(failing + ". Record the missing"
                            + " evidence or fix it (GET " + verdictPath(subject) + "); an ADMIN may override with"
                            + " {\"override\": true, \"reason\": \"...\"}"));
                }
                if (!admin) {
                    return Outcome.<ApprovalView>refused(ApiException.forbidden("only an ADMIN may override a"
                            + " failing policy verdict; " + failing));
                }
                if (reason == null) {
                    return Outcome.<ApprovalView>refused(ApiException.invalid("reason", "an override needs a reason"
                            + " saying why it may be approved although " + failing));
                }
            }
            List<SignoffRequirement> required = SignoffRules.required(
                    RiskTier.parse(models.get(facts.modelName()).riskTier()), facts.method());
            Approval a = Approval.requested(subject, facts.modelName(), r.deployment(), r.environment(), r.tier(),
                    required, subjects.ineligible(facts, requester), verdict.evidence(), verdict.passed(),
                    override ? reason : null, override ? failed : List.of(), requester, now, now.plus(settings.ttl()));
            store.insert(a);
            ApprovalView view = ApprovalView.of(a);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put(subject.kind().field(), subject.id().toString());
            details.put("target", target(a.deployment(), a.environment(), a.tier()));
            details.put("evidenceDigest", a.evidence().digest());
            details.put("verdictPassed", verdict.passed());
            audit.record("approval.requested", "approval", a.id().toString(), null, view, details);
            if (override) {
                audit.record("approval.verdict-overridden", "approval", a.id().toString(), null, view,
                        Map.of("reason", reason, "failedChecks", failed));
            }
            events.publish(a);
            return Outcome.of(view);
        }).get();
    }

    /**
     * An edge tier ships the weights to devices, which a checkpoint marked internal-only forbids; the
     * request is refused at once rather than after its sign-offs, when only the rollout would notice.
     */
    private static ApiException licenceRefusal(CheckpointView checkpoint, TierView tier) {
        if (!tier.edge() || !"internal-only".equals(checkpoint.redistribution())) {
            return null;
        }
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "licence: checkpoint " + checkpoint.modelName()
                + "@" + checkpoint.version() + " has license '" + checkpoint.license() + "' with redistribution"
                + " 'internal-only', but tier '" + tier.name() + "' is an edge tier whose weights are distributed to"
                + " devices; request approval for a non-edge tier, or register a checkpoint whose licence allows"
                + " redistribution", "tier");
    }

    private static String verdictPath(ApprovalSubject subject) {
        return subject.isVariant() ? "/api/v1/variants/" + subject.id() + "/verdict"
                : "/api/v1/checkpoints/" + subject.id() + "/verdict";
    }

    // ---------------------------------------------------------------- read and sign

    public ApprovalView get(UUID id) {
        return attempt(now -> Outcome.of(ApprovalView.of(reviewer.refreshed(reviewer.load(id), now)))).get();
    }

    /** Records the caller's decision; the last required approval makes the request APPROVED, a rejection REJECTED. */
    public ApprovalView sign(UUID id, NewSignoff s) {
        Decision decision = parseDecision(s == null ? null : s.decision());
        String comment = s == null || s.comment() == null || s.comment().isBlank() ? null : s.comment().strip();
        if (decision == Decision.REJECT && comment == null) {
            throw ApiException.invalid("comment", "a rejection needs a comment saying what is wrong, so the requester"
                    + " can act on it");
        }
        if (comment != null && comment.length() > 4000) {
            throw ApiException.invalid("comment", "comment must be at most 4000 characters");
        }
        String signer = CurrentUser.username();
        Set<Role> roles = CurrentUser.roles();
        return attempt(now -> {
            Approval a = reviewer.refreshed(reviewer.load(id), now);
            ApprovalView before = ApprovalView.of(a);
            Signoff signoff;
            try {
                signoff = a.sign(signer, roles, decision, comment, now);
            } catch (IllegalTransitionException e) {
                return Outcome.<ApprovalView>refused(ApiException.conflict(e.getMessage()));
            } catch (SignoffRefusedException e) {
                return Outcome.<ApprovalView>refused(e.forbidden() ? ApiException.forbidden(e.getMessage())
                        : ApiException.conflict(e.getMessage()));
            }
            store.update(a);
            ApprovalView after = ApprovalView.of(reviewer.load(id));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("decision", decision.name());
            details.put("role", signoff.role().name());
            details.put("status", a.status().name());
            if (comment != null) {
                details.put("comment", comment);
            }
            audit.record("approval.signed", "approval", id.toString(), before, after, details);
            if (a.status() != ApprovalStatus.PENDING) {
                reviewer.decided(a, "approval." + a.status().name().toLowerCase(Locale.ROOT), before, after, signer,
                        signer, Map.of());
            }
            return Outcome.of(after);
        }).get();
    }

    /**
     * Approvals, newest first. {@code mine}: the caller's inbox, the PENDING requests they may still
     * sign. Open approvals the list could show are brought up to date (expiry, evidence) first.
     */
    public Page<ApprovalView> search(String status, boolean mine, UUID variantId, String deployment,
            String environment, String tier, Pageable pageable) {
        return search(status, mine, variantId, deployment, environment, tier, null, pageable);
    }

    /** As above, and with {@code requestedBy} only the requests that person opened (the portal's "my requests"). */
    public Page<ApprovalView> search(String status, boolean mine, UUID variantId, String deployment,
            String environment, String tier, String requestedBy, Pageable pageable) {
        return search(status, mine, variantId, null, deployment, environment, tier, requestedBy, pageable);
    }

    /** As above, and with {@code checkpointId} only the approvals of that checkpoint served unquantized. */
    public Page<ApprovalView> search(String status, boolean mine, UUID variantId, UUID checkpointId,
            String deployment, String environment, String tier, String requestedBy, Pageable pageable) {
        ApprovalStatus wanted = parseStatus(status);
        Approvals.Filter filter = new Approvals.Filter(wanted, variantId, Text.blankToNull(deployment),
                Text.blankToNull(environment), Text.blankToNull(tier),
                mine ? new Approvals.Signer(CurrentUser.username(), CurrentUser.roles()) : null,
                Text.blankToNull(requestedBy), checkpointId);
        for (UUID id : transaction.execute(tx -> store.openMatching(filter))) {
            attempt(now -> Outcome.of(reviewer.refreshed(reviewer.load(id), now)));
        }
        return transaction.execute(tx -> store.search(filter, pageable).map(ApprovalView::of));
    }

    /**
     * How many requests the caller could sign now: the portal's inbox badge, shown on every page.
     * Unlike {@link #search} it writes nothing, so it costs one query; a request whose new evidence
     * fails is counted until the review that lapses it.
     */
    public long awaitingMySignoff() {
        Set<Role> roles = CurrentUser.roles();
        if (!roles.contains(Role.APPROVER) && !roles.contains(Role.RISK_OFFICER)) {
            return 0;
        }
        return transaction.execute(tx -> store.countAwaiting(new Approvals.Signer(CurrentUser.username(), roles),
                Timestamps.now()));
    }

    // ---------------------------------------------------------------- gate

    /**
     * Valid means: for exactly this subject, deployment, environment and tier; APPROVED; not expired;
     * its policy still passing on the subject's evidence as it is now. The first rollout to pass the
     * gate marks the approval used, so its request time-to-live no longer applies. Runs in the
     * caller's transaction when there is one, so a lapse it discovers is written with the caller's
     * work (or, if the caller rolls back on the refusal, at the next read). An unknown approval answers 404.
     */
    @Override
    public ApprovedDecision requireApproved(UUID approvalId, ApprovalSubject subject, String deployment,
            String environment, String tier) {
        return attempt(now -> {
            Approval a = store.find(approvalId).orElse(null);
            if (a == null) {
                return Outcome.<ApprovedDecision>refused(ApiException.notFound("approval", approvalId));
            }
            List<String> mismatches = new ArrayList<>();
            if (!a.subject().equals(subject)) {
                mismatches.add("it was granted for " + a.subject().describe() + ", not " + subject.describe());
            }
            mismatch(mismatches, "deployment", a.deployment(), deployment);
            mismatch(mismatches, "environment", a.environment(), environment);
            mismatch(mismatches, "tier", a.tier(), tier);
            if (!mismatches.isEmpty()) {
                return Outcome.<ApprovedDecision>refused(ApiException.conflict("approval " + approvalId
                        + " does not cover this target: " + String.join(", ", mismatches)));
            }
            a = reviewer.refreshed(a, now);
            if (a.status() != ApprovalStatus.APPROVED) {
                return Outcome.<ApprovedDecision>refused(ApiException.conflict("approval " + approvalId + " is "
                        + a.status() + (a.statusReason() == null ? "" : " (" + a.statusReason() + ")")
                        + "; moving a backend into a tier needs an APPROVED approval"
                        + (a.status() == ApprovalStatus.PENDING ? ", still required: " + a.outstanding().stream()
                                .map(r -> r.role() + " x" + r.count()).toList() : "")));
            }
            if (a.markUsed(now)) {
                store.update(a);
                a = reviewer.load(a.id());
            }
            List<String> signedBy = a.signoffs().stream().filter(s -> s.decision() == Decision.APPROVE)
                    .map(Signoff::username).toList();
            return Outcome.of(new ApprovedDecision(a.id(), signedBy, a.evidence().digest()));
        }).get();
    }

    private static void mismatch(List<String> mismatches, String what, Object granted, Object asked) {
        if (!granted.equals(asked)) {
            mismatches.add("it was granted for " + what + " '" + granted + "', not '" + asked + "'");
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Runs one unit of work per attempt in a transaction, retrying on the fresh state when another
     * writer got in between. Inside a caller's transaction there is no fresh state to retry on.
     */
    private <T> Outcome<T> attempt(Function<Instant, Outcome<T>> work) {
        boolean joined = TransactionSynchronizationManager.isActualTransactionActive();
        for (int attempt = 1;; attempt++) {
            try {
                return transaction.execute(tx -> work.apply(Timestamps.now()));
            } catch (StaleApprovalException | DuplicateKeyException e) {
                if (joined || attempt == MAX_ATTEMPTS) {
                    throw ApiException.conflict("the approval was changed by someone else at the same time; read it"
                            + " again and retry");
                }
            }
        }
    }

    private static void requireName(String field, String value) {
        if (value == null || !ModelService.NAME.matcher(value).matches()) {
            throw ApiException.invalid(field, field + " must be 1-63 characters of lowercase letters, digits and '-'"
                    + " (not starting or ending with '-'), e.g. 'production'; got '" + value + "'");
        }
    }

    private DeploymentView requireDeployment(String name) {
        try {
            return deployments.get(name);
        } catch (ApiException e) {
            throw new ApiException(e.status(), e.getMessage(), "deployment");
        }
    }

    private static String target(String deployment, String environment, String tier) {
        return "tier '" + tier + "' of deployment '" + deployment + "' in '" + environment + "'";
    }

    private static Decision parseDecision(String value) {
        try {
            return Decision.valueOf(value == null ? "" : value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("decision", "decision must be APPROVE or REJECT, got '" + value + "'");
        }
    }

    private static ApprovalStatus parseStatus(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return ApprovalStatus.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("status", "status must be one of " + List.of(ApprovalStatus.values())
                    + ", got '" + value + "'");
        }
    }
}
