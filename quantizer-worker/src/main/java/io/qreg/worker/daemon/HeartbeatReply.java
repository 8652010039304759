package io.qreg.worker.daemon;

/** The registry's answer to a heartbeat: the lease is renewed; {@code cancelRequested} means stop and report CANCELLED. */
public record HeartbeatReply(String leaseExpiresAt, boolean cancelRequested) {
}
