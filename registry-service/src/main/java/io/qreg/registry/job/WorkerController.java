package io.qreg.registry.job;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;
import io.qreg.registry.web.WaitParameter;
import io.qreg.worker.protocol.RegistrationReply;
import io.qreg.worker.protocol.RegistrationRequest;

import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** Workers over HTTP: register, long-poll for a job, deregister, and the fleet view. */
@RestController
@RequiredArgsConstructor
class WorkerController {

    /** A claim without {@code ?wait=} waits this long for a job. */
    private static final Duration DEFAULT_CLAIM_WAIT = Duration.ofSeconds(30);

    private final WorkerService workers;
    private final JobDispatch dispatch;
    private final WorkerDeregistration deregistration;

    @PostMapping("/api/v1/workers/register")
    ResponseEntity<RegistrationReply> register(@RequestBody RegistrationRequest registration) {
        RegistrationReply registered = workers.register(registration);
        return ResponseEntity.status(HttpStatus.CREATED).body(registered);
    }

    @PostMapping("/api/v1/workers/{workerId}/claim")
    ResponseEntity<Map<String, Object>> claim(@PathVariable UUID workerId,
            @RequestParam(required = false) String wait) throws InterruptedException {
        Optional<Map<String, Object>> job = dispatch.claim(workerId, WaitParameter.parse(wait, DEFAULT_CLAIM_WAIT));
        return job.map(ResponseEntity::ok).orElseGet(() -> ResponseEntity.noContent().build());
    }

    @PostMapping("/api/v1/workers/{workerId}/deregister")
    WorkerDeregistration.Deregistered deregister(@PathVariable UUID workerId) {
        return deregistration.deregister(workerId);
    }

    @GetMapping("/api/v1/workers")
    PageResponse<WorkerService.FleetMember> fleet(@RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return PageResponse.of(workers.fleet(Pagination.of(page, size, Sort.by("lastSeenAt"))), w -> w);
    }
}
