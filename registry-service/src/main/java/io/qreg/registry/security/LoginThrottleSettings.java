package io.qreg.registry.security;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How password guessing is slowed ({@code qreg.auth.throttle.*}): after {@code maxFailures} failed
 * sign-ins for one account, or from one client address, within {@code window}, each further
 * attempt waits {@code firstDelay}, doubling with every failure up to {@code maxDelay}.
 */
@ConfigurationProperties("qreg.auth.throttle")
record LoginThrottleSettings(@DefaultValue("10") int maxFailures, @DefaultValue("5m") Duration window,
        @DefaultValue("1s") Duration firstDelay, @DefaultValue("15m") Duration maxDelay) {

    LoginThrottleSettings {
        if (maxFailures < 1 || window.isNegative() || window.isZero() || firstDelay.isNegative()
                || firstDelay.isZero() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("qreg.auth.throttle: max-failures must be at least 1, window and"
                    + " first-delay positive, max-delay at least first-delay; got " + maxFailures + ", " + window
                    + ", " + firstDelay + ", " + maxDelay);
        }
    }

    /** The wait after the n-th failure beyond the limit (n = 0 for the first): doubling, capped. */
    Duration delayAfter(int failuresBeyondLimit) {
        int doublings = Math.min(failuresBeyondLimit, 40);
        Duration delay = firstDelay.multipliedBy(1L << Math.min(doublings, 30));
        return delay.compareTo(maxDelay) > 0 || doublings > 30 ? maxDelay : delay;
    }
}
