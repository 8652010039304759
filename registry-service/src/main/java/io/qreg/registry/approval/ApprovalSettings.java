package io.qreg.registry.approval;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code qreg.approvals.*}: how long a request, and the approval it becomes, stays valid. */
@ConfigurationProperties("qreg.approvals")
public record ApprovalSettings(Duration ttl) {

    public ApprovalSettings {
        ttl = ttl == null || ttl.isNegative() || ttl.isZero() ? Duration.ofDays(7) : ttl;
    }
}
