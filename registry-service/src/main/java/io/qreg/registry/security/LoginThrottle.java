package io.qreg.registry.security;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.qreg.registry.audit.AuditLog;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * Counts failed password sign-ins (the portal form and HTTP Basic alike) per account and per client
 * address, in memory, and says how long a throttled attempt must wait. Failures and successes are
 * learnt from Spring Security's authentication events, so every password check is counted however it
 * was reached; bearer tokens are not passwords and are not counted.
 *
 * <p>Each instance counts on its own: behind a load balancer spreading one client over n instances,
 * a guesser gets up to n times the limit before every instance refuses it.
 */
@Component
@EnableConfigurationProperties(LoginThrottleSettings.class)
@RequiredArgsConstructor
class LoginThrottle {

    /** Beyond this many tracked accounts or addresses, idle ones are dropped so memory stays bounded. */
    private static final int MAX_TRACKED = 100_000;

    private final LoginThrottleSettings settings;
    private final AuditLog audit;
    private final Map<String, Strikes> byAccount = new ConcurrentHashMap<>();
    private final Map<String, Strikes> byAddress = new ConcurrentHashMap<>();

    /** How long a sign-in attempt for {@code username} from {@code address} must still wait, if at all. */
    Optional<Duration> refusal(String username, String address) {
        Instant now = Instant.now();
        Duration account = remaining(byAccount.get(accountKey(username)), now);
        Duration client = address == null ? Duration.ZERO : remaining(byAddress.get(address), now);
        Duration wait = account.compareTo(client) >= 0 ? account : client;
        return wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    @EventListener
    void onFailure(AbstractAuthenticationFailureEvent event) {
        if (event.getAuthentication() instanceof UsernamePasswordAuthenticationToken attempt) {
            failed(attempt.getName(), address(attempt));
        }
    }

    /** A successful sign-in ends the account's throttle; its address's count stands (see docs/security.md). */
    @EventListener
    void onSuccess(AuthenticationSuccessEvent event) {
        if (event.getAuthentication() instanceof UsernamePasswordAuthenticationToken) {
            byAccount.remove(accountKey(event.getAuthentication().getName()));
        }
    }

    /** A wrong password given other than by signing in (e.g. as the current password when changing it). */
    void failed(String username, String address) {
        Instant now = Instant.now();
        String account = accountKey(username);
        Optional<Duration> accountThrottle = strike(byAccount, account, now);
        accountThrottle.ifPresent(delay -> audited("user", account, username, address, delay));
        if (address != null) {
            strike(byAddress, address, now).ifPresent(delay -> audited("client", address, username, address, delay));
        }
    }

    /** Counts a failure; returns the first delay when this failure starts a throttle. */
    private Optional<Duration> strike(Map<String, Strikes> counters, String key, Instant now) {
        if (counters.size() > MAX_TRACKED) {
            counters.values().removeIf(s -> s.idleAt(now, settings.window()));
        }
        Strikes strikes = counters.computeIfAbsent(key, k -> new Strikes());
        synchronized (strikes) {
            return strikes.fail(now, settings);
        }
    }

    /** Once per throttle start, not per refused attempt: a guesser cannot flood the audit log. */
    private void audited(String subjectType, String subjectId, String username, String address, Duration delay) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("username", username);
        details.put("address", address == null ? "" : address);
        details.put("failures", settings.maxFailures());
        details.put("window", settings.window().toString());
        details.put("retryAfterSeconds", seconds(delay));
        audit.recordAs("system", "auth.throttled", subjectType, subjectId, null, null, details);
    }

    static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }

    private static Duration remaining(Strikes strikes, Instant now) {
        if (strikes == null) {
            return Duration.ZERO;
        }
        synchronized (strikes) {
            return now.isBefore(strikes.blockedUntil) ? Duration.between(now, strikes.blockedUntil) : Duration.ZERO;
        }
    }

    /** Usernames as typed, bounded, so a guesser sending long names cannot grow the keys. */
    private static String accountKey(String username) {
        String key = username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
        return key.length() > 64 ? key.substring(0, 64) : key;
    }

    private static String address(Authentication attempt) {
        return attempt.getDetails() instanceof WebAuthenticationDetails web ? web.getRemoteAddress() : null;
    }

    /** The failures of one account or address (guarded by its own monitor). */
    private static final class Strikes {

        private final Deque<Instant> failures = new ArrayDeque<>();
        /** Failures since the throttle began; 0 while not throttled. */
        private int beyondLimit;
        private Instant blockedUntil = Instant.MIN;
        private Instant lastFailure = Instant.MIN;

        Optional<Duration> fail(Instant now, LoginThrottleSettings settings) {
            // A throttle lasts until a window passes without failures after its last delay, so delays
            // longer than the window still double instead of starting over.
            if (beyondLimit > 0 && now.isAfter(blockedUntil.plus(settings.window()))) {
                beyondLimit = 0;
                failures.clear();
            }
            Instant windowStart = now.minus(settings.window());
            while (!failures.isEmpty() && failures.peekFirst().isBefore(windowStart)) {
                failures.removeFirst();
            }
            failures.addLast(now);
            while (failures.size() > settings.maxFailures()) {
                failures.removeFirst();
            }
            lastFailure = now;
            if (beyondLimit == 0 && failures.size() < settings.maxFailures()) {
                return Optional.empty();
            }
            Duration delay = settings.delayAfter(beyondLimit);
            beyondLimit++;
            blockedUntil = now.plus(delay);
            return beyondLimit == 1 ? Optional.of(delay) : Optional.empty();
        }

        synchronized boolean idleAt(Instant now, Duration window) {
            return now.isAfter(lastFailure.plus(window)) && now.isAfter(blockedUntil.plus(window));
        }
    }
}
