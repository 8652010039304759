package io.qreg.registry.job;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Binds {@code qreg.jobs.*} and turns on scheduling for the lease sweeper. */
@Configuration
@EnableScheduling
@EnableConfigurationProperties(JobSettings.class)
class JobsConfiguration {
}
