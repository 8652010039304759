package io.qreg.registry.job;

import java.util.List;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** Reproductions of a variant over HTTP: queue one (202, the job), and list the finished ones. */
@RestController
@RequiredArgsConstructor
class ReproductionController {

    private final Reproductions reproductions;

    @PostMapping("/api/v1/variants/{id}/reproduce")
    @ResponseStatus(HttpStatus.ACCEPTED)
    JobView reproduce(@PathVariable UUID id, @RequestBody(required = false) Reproductions.ReproduceRequest body) {
        return reproductions.request(id, body);
    }

    @GetMapping("/api/v1/variants/{id}/reproductions")
    List<Reproduction> reproductions(@PathVariable UUID id) {
        return reproductions.of(id);
    }
}
