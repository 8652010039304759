package io.qreg.registry.approval;

import java.util.UUID;

/** What an approval lets serve: a quantized variant, or the model's registered (FP32) checkpoint itself. */
public record ApprovalSubject(Kind kind, UUID id) {

    /** The two kinds of backend a rollout can move into a tier. */
    public enum Kind {
        VARIANT("variantId", "variant"), CHECKPOINT("checkpointId", "checkpoint");

        private final String field;
        private final String noun;

        Kind(String field, String noun) {
            this.field = field;
            this.noun = noun;
        }

        /** The request field that names a subject of this kind. */
        public String field() {
            return field;
        }
    }

    public ApprovalSubject {
        if (kind == null || id == null) {
            throw new IllegalArgumentException("an approval subject needs a kind and an id");
        }
    }

    public static ApprovalSubject variant(UUID id) {
        return new ApprovalSubject(Kind.VARIANT, id);
    }

    public static ApprovalSubject checkpoint(UUID id) {
        return new ApprovalSubject(Kind.CHECKPOINT, id);
    }

    /** The subject named by exactly one of two ids; null when both or neither are given. */
    public static ApprovalSubject of(UUID variantId, UUID checkpointId) {
        if ((variantId == null) == (checkpointId == null)) {
            return null;
        }
        return variantId != null ? variant(variantId) : checkpoint(checkpointId);
    }

    public boolean isVariant() {
        return kind == Kind.VARIANT;
    }

    public UUID variantId() {
        return isVariant() ? id : null;
    }

    public UUID checkpointId() {
        return isVariant() ? null : id;
    }

    /** "variant 1234…" or "checkpoint 1234…", for messages. */
    public String describe() {
        return kind.noun + " " + id;
    }
}
