package io.qreg.registry.audit;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Verifies the whole audit log ({@link AuditVerifier}: signed tree heads, then the chain after them) in the background (every {@code qreg.audit.verify-interval}, 60 s by
 * default) and keeps the outcome, so the audit page can always show the chain's status without
 * making a person wait for a walk whose cost grows with the chain. A broken chain is also logged
 * as an error, so it reaches whoever watches the logs without anyone opening the page.
 */
@Component
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class ChainMonitor {

    private static final Logger log = LoggerFactory.getLogger(ChainMonitor.class);

    /** A verification and when it finished. */
    public record Checked(ChainVerification verification, Instant at) {
    }

    private final AuditVerifier verifier;
    private final AtomicReference<Checked> last = new AtomicReference<>();

    @Scheduled(initialDelayString = "${qreg.audit.verify-initial-delay:10s}",
            fixedDelayString = "${qreg.audit.verify-interval:60s}")
    void verifyInBackground() {
        verifyNow();
    }

    /** Verifies the log now and remembers the outcome. */
    public Checked verifyNow() {
        Checked checked = new Checked(verifier.verify(), Instant.now());
        Checked previous = last.getAndSet(checked);
        if (!checked.verification().valid() && (previous == null || previous.verification().valid())) {
            log.error("audit chain broken at event {}: {}", checked.verification().firstBrokenLink().seq(),
                    checked.verification().firstBrokenLink().reason());
        }
        return checked;
    }

    /** The latest background or requested verification, if one has finished since start. */
    public Optional<Checked> last() {
        return Optional.ofNullable(last.get());
    }
}
