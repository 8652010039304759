package io.qreg.registry.approval;

import java.time.Instant;

import io.qreg.registry.security.Role;

/** One person's decision on a request, counted towards the requirement of {@code role}. */
public record Signoff(String username, Role role, Decision decision, String comment, Instant signedAt) {
}
