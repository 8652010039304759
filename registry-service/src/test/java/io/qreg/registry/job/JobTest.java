package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.registry.support.IllegalTransitionException;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The job state machine on its own: the edges it has, and the ones it refuses by naming the state. */
class JobTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final UUID worker = UUID.randomUUID();

    private static Job queued(int maxAttempts) {
        return Job.quantize(UUID.randomUUID(), new JobRequest.Versioned("r", 1), null, "any", "[]", false,
                new Job.Submitted(maxAttempts, NOW, "tester"));
    }

    @Test
    void claimStartsAnAttemptAndOnlyItsOwnerMayReport() {
        Job job = queued(3);
        job.claim(worker, NOW, NOW.plusSeconds(30));
        assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.isOwnedBy(worker, 1)).isTrue();
        assertThat(job.isOwnedBy(worker, 2)).isFalse();
        assertThat(job.isOwnedBy(UUID.randomUUID(), 1)).isFalse();
    }

    @Test
    void expiredLeasesRequeueUntilAttemptsRunOutThenFail() {
        Job job = queued(2);
        job.claim(worker, NOW, NOW.plusSeconds(30));
        assertThat(job.leaseExpired(NOW)).isTrue();
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.attempts()).isEqualTo(1);
        job.claim(worker, NOW, NOW.plusSeconds(30));
        assertThat(job.leaseExpired(NOW)).isFalse();
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.error()).contains("leases", "expired");
    }

    @Test
    void retryableFailuresRequeueAndOthersFailAtOnce() {
        Job retryable = queued(3);
        retryable.claim(worker, NOW, NOW.plusSeconds(30));
        assertThat(retryable.fail("digest mismatch", true, NOW)).isTrue();
        assertThat(retryable.status()).isEqualTo(JobStatus.QUEUED);

        Job fatal = queued(3);
        fatal.claim(worker, NOW, NOW.plusSeconds(30));
        assertThat(fatal.fail("bad input", false, NOW)).isFalse();
        assertThat(fatal.status()).isEqualTo(JobStatus.FAILED);
    }

    @Test
    void cancelEndsAQueuedJobAndAsksARunningOneToStop() {
        Job queued = queued(3);
        assertThat(queued.cancel(NOW)).isTrue();
        assertThat(queued.status()).isEqualTo(JobStatus.CANCELLED);

        Job running = queued(3);
        running.claim(worker, NOW, NOW.plusSeconds(30));
        assertThat(running.cancel(NOW)).isFalse();
        assertThat(running.cancelRequested()).isTrue();
        running.cancelled(NOW);
        assertThat(running.status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void illegalTransitionsAreRefusedNamingTheState() {
        Job job = queued(3);
        job.claim(worker, NOW, NOW.plusSeconds(30));
        job.succeed(UUID.randomUUID(), NOW);
        assertThatThrownBy(() -> job.cancel(NOW)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("SUCCEEDED");
        assertThatThrownBy(() -> job.claim(worker, NOW, NOW)).hasMessageContaining("SUCCEEDED");
        assertThatThrownBy(() -> job.fail("x", true, NOW)).hasMessageContaining("SUCCEEDED");
        assertThatThrownBy(() -> queued(3).succeed(null, NOW)).hasMessageContaining("QUEUED");
    }

    @Test
    void aQueuedQuantizeJobReusesAVariantWithoutAnAttemptButAForcedOrClaimedOneCannot() {
        Job job = queued(3);
        UUID existing = UUID.randomUUID();
        job.reuse(existing, "identical run", NOW);
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.variantId()).isEqualTo(existing);
        assertThat(job.reused()).isTrue();
        assertThat(job.attempts()).isZero();

        Job forced = Job.quantize(UUID.randomUUID(), new JobRequest.Versioned("r", 1), null, "any", "[]", true,
                new Job.Submitted(3, NOW, "tester"));
        assertThatThrownBy(() -> forced.reuse(existing, "x", NOW)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("without force");
        Job claimed = queued(3);
        claimed.claim(worker, NOW, NOW.plusSeconds(30));
        assertThatThrownBy(() -> claimed.reuse(existing, "x", NOW)).hasMessageContaining("RUNNING");
    }

    @Test
    void aReproductionSucceedsWithoutAVariantOfItsOwn() {
        UUID original = UUID.randomUUID();
        Job job = Job.reproduce(original, UUID.randomUUID(), new JobRequest.Versioned("r", 1), null, "any",
                new Job.Submitted(3, NOW, "tester"));
        assertThatThrownBy(() -> job.reuse(original, "x", NOW)).isInstanceOf(IllegalTransitionException.class);
        job.claim(worker, NOW, NOW.plusSeconds(30));
        job.reproduced("identical", NOW);
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.variantId()).isNull();
        assertThat(job.message()).isEqualTo("identical");
        assertThatThrownBy(() -> queued(3).reproduced("x", NOW)).hasMessageContaining("no reproduction");
    }
}
