package io.qreg.registry.approval;

import java.util.UUID;

/** Another transaction changed the approval since it was read (its version moved on). */
class StaleApprovalException extends RuntimeException {

    StaleApprovalException(UUID id, long version) {
        super("approval " + id + " is no longer at version " + version);
    }
}
