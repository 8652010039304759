package io.qreg.registry.job;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A job to queue on the variant a QUANTIZE job produces, once it has succeeded: validated at submission and kept
 * on the QUANTIZE job as JSON ({@code {type, dataset?, hardwareTarget}}) until then.
 *
 * @param dataset the evaluation dataset of an EVALUATE follow-up; absent for a BENCHMARK one
 */
record PlannedFollowUp(JobType type, @JsonInclude(JsonInclude.Include.NON_NULL) JobRequest.Versioned dataset,
        String hardwareTarget) {

    static PlannedFollowUp evaluate(JobRequest.Versioned dataset, String hardwareTarget) {
        return new PlannedFollowUp(JobType.EVALUATE, dataset, hardwareTarget);
    }

    static PlannedFollowUp benchmark(String hardwareTarget) {
        return new PlannedFollowUp(JobType.BENCHMARK, null, hardwareTarget);
    }

    /** The target to queue on; rows written before the target was always stored mean {@code any}. */
    String target() {
        return hardwareTarget == null ? HardwareTargetService.ANY : hardwareTarget;
    }
}
