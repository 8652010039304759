package io.qreg.registry.policy;

import java.util.ArrayList;
import java.util.List;

import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.policy.Verdict.Check;
import io.qreg.registry.policy.Verdict.EvidenceRef;
import io.qreg.registry.variant.VariantView.EvaluationView;

/**
 * Judges serving a model's checkpoint itself (FP32). There is no baseline to lose accuracy against,
 * so the thresholds about drops do not apply; what the promise needs is that the model was measured
 * at all where the policy measures models (at least one evaluation of its own), and that it is a
 * model a gateway can call (a graph with inputs and outputs). Pure, like {@link PolicyEvaluator}.
 */
final class CheckpointEvaluator {

    private CheckpointEvaluator() {
    }

    static Verdict judge(EffectivePolicy policy, CheckpointView checkpoint, List<EvaluationView> evaluations) {
        List<Check> checks = new ArrayList<>();
        int inputs = checkpoint.inputs().size();
        int outputs = checkpoint.outputs().size();
        checks.add(new Check("graphSignature", null, 1, (double) Math.min(inputs, outputs), inputs > 0 && outputs > 0,
                "the graph takes " + inputs + " input(s) and produces " + outputs + " output(s); serving needs at"
                        + " least one of each", List.of()));
        if (readsEvaluations(policy.thresholds())) {
            List<EvidenceRef> refs = evaluations.stream().map(e -> EvidenceRef.evaluation(e.id(),
                    e.dataset().get("name") + "@" + e.dataset().get("version"))).toList();
            checks.add(new Check("evaluated", null, 1, (double) evaluations.size(), !evaluations.isEmpty(),
                    evaluations.isEmpty() ? "no evaluation of the checkpoint yet; the policy measures this model, so"
                            + " evaluate it: POST /api/v1/jobs {\"type\": \"EVALUATE\", \"checkpointId\": \""
                            + checkpoint.id() + "\", \"dataset\": {\"name\", \"version\"}}"
                            : evaluations.size() + " evaluation(s) of the checkpoint on "
                                    + refs.stream().map(EvidenceRef::dataset).distinct().toList(), refs));
        }
        boolean passed = checks.stream().allMatch(Check::passed);
        return new Verdict(null, checkpoint.id(), passed, policy, checks, evidence(checkpoint, evaluations));
    }

    static Evidence evidence(CheckpointView checkpoint, List<EvaluationView> evaluations) {
        return Evidence.of(checkpoint.sha256(), null, null, evaluations.stream().map(EvaluationView::id).toList(),
                List.of());
    }

    /** Whether any threshold is judged on evaluations, so a model under this policy must have been evaluated. */
    private static boolean readsEvaluations(Thresholds t) {
        return t.maxAccuracyDrop() != null || t.maxPerplexityIncreasePct() != null || t.minTop1Agreement() != null
                || t.maxWorstSliceAccuracyDrop() != null || t.maxMeanKld() != null || t.maxFlipRate() != null
                || !t.sliceThresholds().isEmpty();
    }
}
