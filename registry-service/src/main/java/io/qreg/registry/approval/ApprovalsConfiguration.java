package io.qreg.registry.approval;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds {@code qreg.approvals.*}. */
@Configuration
@EnableConfigurationProperties(ApprovalSettings.class)
class ApprovalsConfiguration {
}
