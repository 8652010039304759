package io.qreg.registry.approval;

/**
 * Where an approval request stands. PENDING and APPROVED are open; the others are final. LAPSED:
 * the policy judged newer evidence, or a changed policy, and it fails. VOID is what earlier
 * versions recorded when the evidence changed at all; no approval becomes VOID any more.
 */
public enum ApprovalStatus {
    PENDING, APPROVED, REJECTED, VOID, EXPIRED, LAPSED;

    /** Whether the approval can still change: be signed, or lapse through expiry or changed evidence. */
    public boolean isOpen() {
        return this == PENDING || this == APPROVED;
    }
}
