package io.qreg.registry.job;

import java.time.Instant;
import java.util.UUID;

/**
 * One finished reproduction of a variant: the worker that re-ran its quantization, with which engine, the digest
 * of what came out, and whether those bytes are the variant's. The new bytes are not kept: identical ones are
 * already stored, and different ones are no artifact anyone approved; their digest is the evidence.
 */
public record Reproduction(UUID jobId, UUID variantId, UUID workerId, String workerName, String engineVersion,
        String onnxRuntimeVersion, String sha256, long sizeBytes, boolean identical, Instant reproducedAt) {

    /** "identical" or "differs", as the variant page and the model card say it. */
    public String outcome() {
        return identical ? "identical" : "differs";
    }

    /** "reproduced on <worker> at <time>: identical" (or "differs"). */
    public String summary() {
        return "reproduced on " + workerName + " at " + reproducedAt + ": " + outcome();
    }
}
