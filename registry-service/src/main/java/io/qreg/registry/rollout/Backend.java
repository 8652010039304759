package io.qreg.registry.rollout;

import java.util.UUID;

import io.qreg.engine.quant.WeightPrecision;

/**
 * What serves traffic: a quantized variant, or the model's FP32 checkpoint itself ({@code source}
 * {@code checkpoint}), with the digest of the artifact a gateway loads.
 */
public record Backend(String source, UUID id, String precision, String sha256) {

    public static final String VARIANT = "variant";
    public static final String CHECKPOINT = "checkpoint";

    public static Backend variant(UUID id, WeightPrecision precision, String sha256) {
        return new Backend(VARIANT, id, precision.wireName(), sha256);
    }

    public static Backend checkpoint(UUID id, String sha256) {
        return new Backend(CHECKPOINT, id, WeightPrecision.FP32.wireName(), sha256);
    }

    public boolean variantBacked() {
        return VARIANT.equals(source);
    }

    /**
     * The name gateways give the upstream that serves this backend (an Envoy cluster, a Kubernetes
     * Service): {@code v-<variant id>} or {@code cp-<checkpoint id>}, a valid DNS-1035 label.
     */
    public String cluster() {
        return (variantBacked() ? "v-" : "cp-") + id;
    }

    /** Where a gateway downloads the artifact. */
    public String artifact() {
        return (variantBacked() ? "/api/v1/variants/" : "/api/v1/checkpoints/") + id + "/content";
    }

    /** What an approval for this backend names: the variant, or the checkpoint served as registered. */
    public io.qreg.registry.approval.ApprovalSubject approvalSubject() {
        return variantBacked() ? io.qreg.registry.approval.ApprovalSubject.variant(id)
                : io.qreg.registry.approval.ApprovalSubject.checkpoint(id);
    }

    public WeightPrecision precisionLevel() {
        return WeightPrecision.parse(precision);
    }

    /** The backend as the API shows it: its fields, its cluster name and its artifact's URL. */
    public java.util.Map<String, Object> describe() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("source", source);
        m.put("id", id);
        m.put("precision", precision);
        m.put("sha256", sha256);
        m.put("cluster", cluster());
        m.put("artifact", artifact());
        return m;
    }
}
