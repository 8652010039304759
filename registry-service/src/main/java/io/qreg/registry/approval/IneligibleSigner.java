package io.qreg.registry.approval;

/** Someone who may not sign a request under separation of duties, and why. */
public record IneligibleSigner(String username, String reason) {
}
