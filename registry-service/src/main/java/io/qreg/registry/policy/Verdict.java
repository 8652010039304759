package io.qreg.registry.policy;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A variant (or, with {@code checkpointId}, the model's checkpoint itself) judged against its model's
 * effective policy: every check, the evidence each used, and the outcome.
 */
public record Verdict(UUID variantId, @JsonInclude(JsonInclude.Include.NON_NULL) UUID checkpointId, boolean passed,
        EffectivePolicy policy, List<Check> checks, Evidence evidence) {

    public Verdict {
        checks = List.copyOf(checks);
    }

    /** The checks that failed, in the order they were made. */
    public List<Check> failedChecks() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    /**
     * One threshold compared with what was measured. {@code actual} is the worst figure over the
     * evidence (null when there is none); {@code hardwareTarget} is set for benchmark checks.
     */
    public record Check(String name, @JsonInclude(JsonInclude.Include.NON_NULL) String hardwareTarget,
            double threshold, Double actual, boolean passed, String detail, List<EvidenceRef> evidence) {

        public Check {
            evidence = List.copyOf(evidence);
        }

        /** The check as a person reads it in a refusal: name, target, and why. */
        public String summary() {
            return name + (hardwareTarget == null ? "" : " on '" + hardwareTarget + "'") + " (" + detail + ")";
        }
    }

    /** A recorded result a check used: an evaluation on a dataset ("name@version") or a benchmark on a target. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EvidenceRef(String kind, UUID id, String dataset, String hardwareTarget) {

        static EvidenceRef evaluation(UUID id, String dataset) {
            return new EvidenceRef("evaluation", id, dataset, null);
        }

        static EvidenceRef benchmark(UUID id, String hardwareTarget) {
            return new EvidenceRef("benchmark", id, null, hardwareTarget);
        }
    }
}
