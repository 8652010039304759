package io.qreg.registry.webhook;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code qreg.webhooks.*}: the delays between attempts (the last one repeats) and their jitter, how
 * often a delivery is attempted, the HTTP timeouts, how long a claimed delivery stays claimed, and
 * how many deliveries one instance sends at once; whether receivers inside the network (loopback,
 * private, link-local, unique-local, multicast) are allowed, and the file holding the key that
 * encrypts subscription secrets (blank: one generated under {@code ${qreg.data-dir}/keys}).
 */
@ConfigurationProperties("qreg.webhooks")
public record WebhookSettings(List<Duration> retryDelays, Double jitter, int maxAttempts, Duration connectTimeout,
        Duration requestTimeout, Duration lease, int concurrency, boolean allowPrivate, String secretKey) {

    public WebhookSettings {
        retryDelays = retryDelays == null || retryDelays.isEmpty()
                ? List.of(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2),
                        Duration.ofMinutes(10), Duration.ofHours(1))
                : List.copyOf(retryDelays);
        jitter = jitter == null ? 0.2 : Math.max(0, Math.min(1, jitter));
        maxAttempts = maxAttempts <= 0 ? 10 : maxAttempts;
        connectTimeout = positive(connectTimeout, Duration.ofSeconds(5));
        requestTimeout = positive(requestTimeout, Duration.ofSeconds(10));
        // A lease shorter than one attempt could lapse mid-request and let a second instance send too.
        Duration attempt = connectTimeout.plus(requestTimeout);
        lease = positive(lease, Duration.ofSeconds(60));
        if (lease.compareTo(attempt.plusSeconds(5)) < 0) {
            lease = attempt.plusSeconds(5);
        }
        concurrency = concurrency <= 0 ? 4 : concurrency;
    }

    /** The delay before the attempt after {@code attemptsMade} attempts, before jitter. */
    Duration retryDelay(int attemptsMade) {
        return retryDelays.get(Math.max(0, Math.min(attemptsMade - 1, retryDelays.size() - 1)));
    }

    private static Duration positive(Duration value, Duration fallback) {
        return value == null || value.isZero() || value.isNegative() ? fallback : value;
    }
}
