package io.qreg.registry.audit;

import io.qreg.worker.audit.TreeHead;

/**
 * The outcome of verifying the audit log: intact, or the first event that disagrees. Events up to
 * {@code anchoredTreeSize} were checked against signed tree heads anchored outside the database;
 * the {@code unanchoredEvents} after them only against the hash chain (no head covers them yet).
 */
public record ChainVerification(boolean valid, long eventsChecked, String headHash, BrokenLink firstBrokenLink,
        long anchoredTreeSize, long unanchoredEvents, int treeHeadsChecked, TreeHead newestTreeHead) {

    static ChainVerification intact(long checked, String headHash, long anchoredTreeSize, int heads,
            TreeHead newest) {
        return new ChainVerification(true, checked, headHash, null, anchoredTreeSize,
                Math.max(0, checked - anchoredTreeSize), heads, newest);
    }

    static ChainVerification broken(long checked, BrokenLink link, long anchoredTreeSize, int heads, TreeHead newest) {
        return new ChainVerification(false, checked, null, link, anchoredTreeSize,
                Math.max(0, checked - anchoredTreeSize), heads, newest);
    }
}
