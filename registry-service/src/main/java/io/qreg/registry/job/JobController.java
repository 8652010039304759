package io.qreg.registry.job;

import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import io.qreg.registry.artifact.UploadReceiver;
import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;
import io.qreg.worker.protocol.HeartbeatReply;
import io.qreg.worker.protocol.HeartbeatRequest;

import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** Jobs over HTTP: submit, read, list, cancel, and the worker's heartbeat and result. */
@RestController
@RequiredArgsConstructor
class JobController {

    private final JobService jobs;
    private final JobSubmission submission;
    private final JobDispatch dispatch;
    private final UploadReceiver uploads;

    @PostMapping("/api/v1/jobs")
    ResponseEntity<JobView> submit(@RequestBody JobRequest request) {
        JobView job = submission.submit(request);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(java.net.URI.create("/api/v1/jobs/" + job.id()))
                .body(job);
    }

    @GetMapping("/api/v1/jobs")
    PageResponse<JobView> list(@RequestParam(required = false) String status,
            @RequestParam(required = false) String type, @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return PageResponse.of(jobs.search(status, type,
                Pagination.of(page, size, Sort.by(Sort.Direction.DESC, "createdAt"))), j -> j);
    }

    @GetMapping("/api/v1/jobs/{id}")
    JobView get(@PathVariable UUID id) {
        return jobs.get(id);
    }

    @PostMapping("/api/v1/jobs/{id}/cancel")
    JobView cancel(@PathVariable UUID id) {
        return jobs.cancel(id);
    }

    @PostMapping("/api/v1/jobs/{id}/heartbeat")
    HeartbeatReply heartbeat(@PathVariable UUID id, @RequestBody HeartbeatRequest heartbeat) {
        return dispatch.heartbeat(id, heartbeat);
    }

    @PostMapping(path = "/api/v1/jobs/{id}/result", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    Map<String, Object> result(@PathVariable UUID id, HttpServletRequest request) {
        jobs.get(id); // an unknown job fails before a single byte is spooled
        return dispatch.result(id, uploads.receive(request, "result", false));
    }
}
