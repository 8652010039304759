package io.qreg.registry.demo;

import static io.qreg.registry.demo.DemoPeople.as;

import java.util.UUID;

import io.qreg.registry.job.JobService;
import io.qreg.registry.job.JobView;
import io.qreg.registry.job.Reproductions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * A reproduced variant to look at: the demo engineer asks a worker to re-run the first demo variant's quantization,
 * and its page then says "reproduced on embedded-worker at …: identical". Idempotent: a variant with a
 * reproduction, or one already queued, gets no other.
 */
@Component
@RequiredArgsConstructor
class DemoReproduction {

    private static final Logger log = LoggerFactory.getLogger(DemoReproduction.class);

    private final Reproductions reproductions;
    private final JobService jobs;

    /** Queues a reproduction of the variant unless one was made or queued; it runs after the demo's other jobs. */
    void ensure(UUID variantId) {
        if (variantId == null || !reproductions.of(variantId).isEmpty()) {
            return;
        }
        for (JobView job : jobs.search(null, "QUANTIZE", PageRequest.of(0, 200,
                Sort.by(Sort.Direction.DESC, "createdAt")))) {
            if (variantId.equals(job.reproducesVariantId())) {
                return;
            }
        }
        JobView queued = as(DemoData.ENGINEER, () -> reproductions.request(variantId,
                new Reproductions.ReproduceRequest(null)));
        log.info("demo data: reproducing variant {} as job {}", variantId, queued.id());
    }
}
