package io.qreg.worker.daemon;

import java.time.Duration;

/** The registry's answer to {@code register}: this process's worker id and the lease timing it asks for. */
public record Registration(String workerId, Duration lease, Duration heartbeatInterval) {
}
