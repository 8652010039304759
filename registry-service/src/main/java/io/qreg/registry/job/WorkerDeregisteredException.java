package io.qreg.registry.job;

import java.time.Instant;
import java.util.UUID;

import io.qreg.registry.web.ApiException;

import org.springframework.http.HttpStatus;

/** A claim or heartbeat of a worker id that deregistered: 409 naming {@code workerId}. */
class WorkerDeregisteredException extends ApiException {

    WorkerDeregisteredException(UUID workerId, Instant stoppedAt) {
        super(HttpStatus.CONFLICT, "worker " + workerId + " deregistered at " + stoppedAt + "; register again",
                "workerId");
    }
}
