package io.qreg.registry.audit;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.Timestamps;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import lombok.RequiredArgsConstructor;

/**
 * Appends events to the hash chain in the same transaction as the change they describe, so a
 * change and its record commit or vanish together.
 *
 * <p>Appends serialise on one advisory lock held to the end of the transaction: the chain is a
 * single sequence, and the next link needs the committed hash of the previous one. Appending is one
 * INSERT and signs nothing: {@link TreeHeadSigner} signs tree heads over the events in the background,
 * and {@link AuditVerifier} checks the log against them.
 */
@Service
@RequiredArgsConstructor
public class AuditLog {

    private final AuditEvents events;

    /**
     * Records that the current user did {@code action} to a subject. Before and after are the
     * subject's states (any JSON-serialisable value, null when absent); only their digests are
     * chained, so the log proves what changed without copying the content.
     */
    @Transactional(propagation = Propagation.REQUIRED)
    public AuditEvent record(String action, String subjectType, String subjectId, Object before, Object after,
            Map<String, ?> details) {
        return recordAs(currentActor(), action, subjectType, subjectId, before, after, details);
    }

    @Transactional(propagation = Propagation.REQUIRED)
    public AuditEvent recordAs(String actor, String action, String subjectType, String subjectId, Object before,
            Object after, Map<String, ?> details) {
        events.lockChain();
        Optional<AuditEvent> last = events.newest();
        long seq = last.isEmpty() ? 1 : last.get().seq() + 1;
        String prevHash = last.isEmpty() ? AuditEvent.GENESIS : last.get().hash();
        AuditEvent unsigned = new AuditEvent(seq, UUID.randomUUID(), Timestamps.now(),
                actor, action, subjectType, subjectId, digestOf(before), digestOf(after),
                CanonicalJson.write(details == null ? Map.of() : details), prevHash, null);
        AuditEvent event = new AuditEvent(unsigned.seq(), unsigned.id(), unsigned.occurredAt(), unsigned.actor(),
                unsigned.action(), unsigned.subjectType(), unsigned.subjectId(), unsigned.beforeDigest(),
                unsigned.afterDigest(), unsigned.details(), unsigned.prevHash(), unsigned.computeHash());
        events.insert(event);
        return event;
    }

    static String digestOf(Object state) {
        return state == null ? null : CanonicalJson.sha256(state);
    }

    static String currentActor() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth == null || !auth.isAuthenticated() ? "system" : auth.getName();
    }
}
