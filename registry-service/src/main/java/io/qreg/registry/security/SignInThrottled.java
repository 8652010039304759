package io.qreg.registry.security;

import org.springframework.http.HttpStatus;

import io.qreg.registry.web.ApiException;

/** A password check refused because its account or address is throttled; carries the wait for Retry-After. */
public class SignInThrottled extends ApiException {

    private final long retryAfterSeconds;

    SignInThrottled(long retryAfterSeconds, String field) {
        super(HttpStatus.TOO_MANY_REQUESTS, "Too many failed sign-in attempts for this account or from this"
                + " address; try again in " + retryAfterSeconds + " s.", field);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
