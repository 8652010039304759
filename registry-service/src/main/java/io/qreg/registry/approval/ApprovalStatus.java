package io.qreg.registry.approval;

/** Where an approval request stands. PENDING and APPROVED are open; the others are final. */
public enum ApprovalStatus {
    PENDING, APPROVED, REJECTED, VOID, EXPIRED;

    /** Whether the approval can still change: be signed, or lapse through expiry or changed evidence. */
    public boolean isOpen() {
        return this == PENDING || this == APPROVED;
    }
}
