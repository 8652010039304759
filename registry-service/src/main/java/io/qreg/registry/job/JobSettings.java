package io.qreg.registry.job;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code qreg.jobs.*}: how long a claim's lease lasts, how often workers renew it, how often a job is tried. */
@ConfigurationProperties("qreg.jobs")
public record JobSettings(int leaseSeconds, int heartbeatSeconds, int maxAttempts) {

    public JobSettings {
        leaseSeconds = leaseSeconds <= 0 ? 30 : leaseSeconds;
        heartbeatSeconds = heartbeatSeconds <= 0 ? 10 : heartbeatSeconds;
        maxAttempts = maxAttempts <= 0 ? 3 : maxAttempts;
    }
}
