package io.qreg.registry.demo;

import static io.qreg.registry.demo.DemoPeople.as;

import java.util.List;
import java.util.UUID;

import io.qreg.registry.approval.ApprovalService;
import io.qreg.registry.approval.ApprovalStatus;
import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.dataset.DatasetView;
import io.qreg.registry.deployment.DeploymentRequest;
import io.qreg.registry.deployment.DeploymentService;
import io.qreg.registry.job.JobRequest;
import io.qreg.registry.job.JobService;
import io.qreg.registry.job.JobSubmission;
import io.qreg.registry.job.JobView;
import io.qreg.registry.rollout.Analysis;
import io.qreg.registry.rollout.RolloutRequest;
import io.qreg.registry.rollout.RolloutService;
import io.qreg.registry.rollout.RolloutView;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.variant.VariantSummary;
import io.qreg.registry.web.ApiException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * The demo's deployment of the digits model and its staged rollout: the FP32 checkpoint, evaluated
 * and approved like anything else that serves, becomes a tier's stable backend; then an approved
 * variant starts its canary over it. Idempotent like the rest of the demo.
 */
@Component
@RequiredArgsConstructor
class DemoDeployment {

    private static final Logger log = LoggerFactory.getLogger(DemoDeployment.class);
    /** The demo deployment's environment that needs no approval. */
    static final String SANDBOX = "dev";

    private final DeploymentService deployments;
    private final RolloutService rollouts;
    private final ApprovalService approvals;
    private final JobService jobs;
    private final JobSubmission submission;
    private final DemoAliases aliases;
    private final VariantService variants;

    /**
     * The demo's deployment of the digits model: a premium tier, an edge tier and the default one, whose
     * low-confidence fallback may take at most 5% of its traffic; staging, production, and the sandbox {@code dev}.
     */
    void ensure() {
        try {
            deployments.get(DemoData.DEPLOYMENT);
        } catch (ApiException missing) {
            as(DemoData.ENGINEER, () -> deployments.create(new DeploymentRequest(DemoData.DEPLOYMENT, DemoData.DIGITS,
                    "Demo: the digits classifier behind a premium, an edge and a default tier.",
                    List.of(DeploymentRequest.Environment.named("staging"),
                            DeploymentRequest.Environment.named("production"),
                            new DeploymentRequest.Environment(SANDBOX, false)), List.of(
                            new DeploymentRequest.Tier("premium", null, null, false, false),
                            new DeploymentRequest.Tier("edge", null, null, true, false),
                            new DeploymentRequest.Tier("default", null, null, false, true,
                                    CanonicalJson.mapper().createObjectNode().put("maxTraffic", 0.05))), null)));
        }
    }

    /**
     * A routing config with a fallback threshold to look at: in the sandbox {@code dev} (no approvals), the FP32
     * checkpoint serves premium and the digits int8-dynamic variant the default tier, so the default rule's
     * low-confidence fallback is the checkpoint, with the threshold the variant's evaluated curve gives for 5% of
     * traffic (GET /api/v1/routing/digits-classifier?environment=dev). Tiers already served are left alone.
     */
    void serveSandbox(UUID checkpoint) {
        UUID deploymentId = deployments.get(DemoData.DEPLOYMENT).id();
        var serving = rollouts.serving(deploymentId, SANDBOX);
        try {
            if (serving.get("premium") == null || serving.get("premium").stable() == null) {
                as(DemoData.ENGINEER, () -> rollouts.start(DemoData.DEPLOYMENT, new RolloutRequest(null, checkpoint,
                        SANDBOX, "premium", List.of(100), null, null, null)));
            }
            UUID int8 = variants.listForModel(DemoData.DIGITS, PageRequest.of(0, 50)).stream()
                    .filter(v -> v.method().equals(DemoData.INT8_DYNAMIC.method())).map(VariantSummary::id)
                    .findFirst().orElse(null);
            if (int8 != null && (serving.get("default") == null || serving.get("default").stable() == null)) {
                as(DemoData.ENGINEER, () -> rollouts.start(DemoData.DEPLOYMENT, new RolloutRequest(int8, null,
                        SANDBOX, "default", List.of(100), null, null, null)));
            }
        } catch (ApiException e) {
            log.info("demo data: the sandbox {} serves as it did: {}", SANDBOX, e.getMessage());
        }
    }

    /** The EVALUATE job of the checkpoint itself on the evaluation set: an earlier start's, or a new one. */
    UUID evaluateCheckpoint(UUID checkpoint, DatasetView evaluation) {
        for (JobView job : jobs.search(null, "EVALUATE", PageRequest.of(0, 200,
                Sort.by(Sort.Direction.DESC, "createdAt")))) {
            if (checkpoint.equals(job.checkpointId()) && job.variantId() == null) {
                return job.id();
            }
        }
        return as(DemoData.ENGINEER, () -> submission.submit(new JobRequest("EVALUATE", checkpoint, null, null, null,
                new JobRequest.Versioned(evaluation.name(), evaluation.version()), "any", List.of(), null))).id();
    }

    /**
     * A staged rollout to look at: the FP32 checkpoint becomes the tier's stable backend under its
     * own approval (signed by the demo approver), then the approved variant starts its canary at 5%,
     * analysed every minute but not advanced by itself: it waits for a person (or a forced advance).
     * The canary is started by its alias, {@code challenger} ({@link DemoAliases}). A second seeding finds
     * the rollout there and changes nothing.
     */
    void startRollout(ApprovalView approved, UUID checkpoint) {
        aliases.point(checkpoint, approved.variantId());
        try {
            UUID checkpointApproval = approveCheckpoint(checkpoint, approved.environment(), approved.tier());
            as(DemoData.ENGINEER, () -> rollouts.start(DemoData.DEPLOYMENT, new RolloutRequest(null, checkpoint,
                    approved.environment(), approved.tier(), List.of(100), checkpointApproval, null, null)));
            RolloutView canary = as(DemoData.ENGINEER, () -> rollouts.start(DemoData.DEPLOYMENT, new RolloutRequest(
                    null, null, approved.environment(), approved.tier(), List.of(5, 25, 100),
                    approved.id(), null, new Analysis(60, 2, false, null), DemoAliases.CHALLENGER)));
            log.info("demo data: rollout {} of variant {} into {} {} is at {}%", canary.id(), approved.variantId(),
                    approved.environment(), approved.tier(), canary.percent());
        } catch (ApiException e) {
            log.info("demo data: no new rollout into {} {}: {}", approved.environment(), approved.tier(),
                    e.getMessage());
        }
    }

    private UUID approveCheckpoint(UUID checkpoint, String environment, String tier) {
        var existing = as(DemoData.ENGINEER, () -> approvals.search("APPROVED", false, null, checkpoint,
                DemoData.DEPLOYMENT, environment, tier, null, PageRequest.of(0, 1)));
        if (!existing.isEmpty()) {
            return existing.getContent().get(0).id();
        }
        ApprovalView requested = as(DemoData.ENGINEER, () -> approvals.request(new ApprovalService.NewApproval(null,
                checkpoint, DemoData.DEPLOYMENT, environment, tier, null, null)));
        ApprovalView signed = as(DemoData.APPROVER, () -> approvals.sign(requested.id(),
                new ApprovalService.NewSignoff("APPROVE", "Demo: the FP32 model as registered, evaluated.")));
        if (signed.status() != ApprovalStatus.APPROVED) {
            throw ApiException.conflict("the demo's checkpoint approval is " + signed.status());
        }
        return signed.id();
    }
}
