package io.qreg.registry.support;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Work that must wait until the current transaction's change is visible to others (a wake-up, a cache eviction):
 * done before the commit, it could act on the old committed state.
 */
public final class AfterCommit {

    private AfterCommit() {
    }

    /** Runs {@code action} once the current transaction commits (never if it rolls back), or now when there is none. */
    public static void run(Runnable action) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    action.run();
                }
            });
        } else {
            action.run();
        }
    }
}
