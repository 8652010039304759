package io.qreg.registry.job;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Every second, re-queues the RUNNING jobs whose lease expired (their worker died, was killed or
 * lost its network), or fails them once they used up their attempts. Safe with several registry
 * instances: each locks the expired rows it handles and skips those another holds.
 */
@Component
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class LeaseSweeper {

    private static final Logger log = LoggerFactory.getLogger(LeaseSweeper.class);

    private final LeaseExpiry expiry;

    @Scheduled(fixedDelayString = "${qreg.jobs.sweep-interval-millis:1000}", initialDelay = 1000)
    public int sweep() {
        try {
            int swept = expiry.expireLeases();
            if (swept > 0) {
                log.info("{} job lease(s) expired: re-queued or failed", swept);
            }
            return swept;
        } catch (RuntimeException e) {
            log.warn("lease sweep failed; retrying at the next tick", e);
            return 0;
        }
    }
}
