package io.qreg.registry.approval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.job.JobService;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.policy.Evidence;
import io.qreg.registry.policy.PolicyService;
import io.qreg.registry.policy.Verdict;
import io.qreg.registry.variant.VariantLifecycle;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.variant.VariantView;
import io.qreg.registry.web.ApiException;

import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * What approvals need to know of their subject, a variant or a checkpoint: its model, the checkpoint
 * whose licence it carries, its method (none for a checkpoint, which is served as registered), who
 * produced it, and the policy's verdict on its evidence.
 */
@Component
@RequiredArgsConstructor
class ApprovalSubjects {

    private final VariantService variants;
    private final CheckpointService checkpoints;
    private final PolicyService policies;
    private final JobService jobs;
    private final ModelService models;
    private final VariantLifecycle variantLifecycle;

    /** A subject as an approval request sees it; {@code method} is null for a checkpoint. */
    record Facts(ApprovalSubject subject, String modelName, CheckpointView checkpoint, String method,
            VariantView variant) {
    }

    /** The subject's facts; an unknown one answers 404 naming its request field. */
    Facts facts(ApprovalSubject subject) {
        if (subject.isVariant()) {
            VariantView variant = ApiException.naming(subject.kind().field(), () -> variants.get(subject.id()));
            return new Facts(subject, variant.modelName(), checkpoints.get(variant.checkpointId()), variant.method(),
                    variant);
        }
        CheckpointView checkpoint = ApiException.naming(subject.kind().field(), () -> checkpoints.get(subject.id()));
        return new Facts(subject, checkpoint.modelName(), checkpoint, null, null);
    }

    /** Refuses (409 naming the subject's field) a subject that is archived, or whose model is. */
    void requireActive(Facts facts) {
        String field = facts.subject().kind().field();
        models.requireActive(facts.modelName(), field, "requested for approval");
        if (facts.subject().isVariant()) {
            variantLifecycle.requireActive(facts.subject().id(), field, "requested for approval");
        }
    }

    Verdict verdict(Facts facts) {
        return facts.variant() != null ? policies.verdict(facts.variant())
                : policies.checkpointVerdict(facts.checkpoint().id());
    }

    Verdict verdict(ApprovalSubject subject) {
        return subject.isVariant() ? policies.verdict(subject.id()) : policies.checkpointVerdict(subject.id());
    }

    /** The evidence a verdict would rest on now: cheaper than the verdict, to see whether anything changed. */
    Evidence evidence(ApprovalSubject subject) {
        return subject.isVariant() ? policies.evidence(subject.id()) : policies.checkpointEvidence(subject.id());
    }

    /**
     * Who may not sign besides the requester: for a variant, the submitter of the QUANTIZE job that
     * produced it and the account that reported it; for a checkpoint, the account that registered it.
     */
    List<IneligibleSigner> ineligible(Facts facts, String requester) {
        Map<String, String> barred = new LinkedHashMap<>();
        barred.put(requester, "requested this approval");
        if (facts.variant() != null) {
            VariantView variant = facts.variant();
            barred.putIfAbsent(jobs.get(variants.producingJobId(variant.id())).createdBy(),
                    "submitted the QUANTIZE job that produced variant " + variant.id());
            barred.putIfAbsent(variant.createdBy(), "reported variant " + variant.id()
                    + " as the account that produced it");
        } else {
            barred.putIfAbsent(facts.checkpoint().createdBy(), "registered checkpoint " + facts.checkpoint().id());
        }
        return barred.entrySet().stream().map(e -> new IneligibleSigner(e.getKey(), e.getValue())).toList();
    }
}
