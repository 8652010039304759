package io.qreg.registry.audit;

/** The outcome of recomputing the audit chain: intact, or the first link that breaks it. */
public record ChainVerification(boolean valid, long eventsChecked, String headHash, BrokenLink firstBrokenLink) {

    static ChainVerification intact(long checked, String headHash) {
        return new ChainVerification(true, checked, headHash, null);
    }

    static ChainVerification broken(long checked, BrokenLink link) {
        return new ChainVerification(false, checked, null, link);
    }
}
