package io.qreg.registry.portal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.job.JobLogEntry;
import io.qreg.registry.job.JobService;
import io.qreg.registry.job.JobView;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.Pagination;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/** Builds the job pages' view models: rows of the list and dashboard, and a job's page with its history. */
@Component
@RequiredArgsConstructor
class JobPages {

    /** A job page shows this many of the latest history lines. */
    static final int LOG_LINES = 500;

    private final JobService jobs;
    private final CheckpointService checkpoints;
    private final ModelService models;

    /**
     * A job as a row: what it works on ({@code subject}: the recipe, dataset or target that sets it
     * apart), its state and progress. {@code live} marks the rows whose progress may still change.
     */
    public record JobRow(UUID id, String shortId, String type, String status, double progress, int percent, String message,
            String modelName, String checkpointVersion, String subject, String target, int attempts, int maxAttempts,
            String createdBy, Instant createdAt, UUID variantId, String error, boolean cancelRequested) {

        public boolean live() {
            return "QUEUED".equals(status) || "RUNNING".equals(status);
        }
    }

    public record JobPage(JobRow row, JobView job, List<JobRow> followUps, List<JobLogEntry> log,
            boolean canCancel) {
    }

    Page<JobRow> search(String status, String type, String model, Integer page, Integer size) {
        return jobs.search(status, type, model, Pagination.of(page, size, Sort.by(Sort.Direction.DESC, "createdAt")))
                .map(this::row);
    }

    /** The models the list's model filter offers, by name (the first page's worth; ?model= takes any name). */
    List<String> modelNames() {
        return models.search(null, null, null, null, PageRequest.of(0, Pagination.MAX_SIZE, Sort.by("name")))
                .map(ModelView::name).getContent();
    }

    List<JobRow> recent(int limit) {
        return jobs.search(null, null, PageRequest.of(0, limit)).getContent().stream().map(this::row).toList();
    }

    JobPage page(UUID id, boolean engineer) {
        JobView job = jobs.get(id);
        JobRow row = row(job);
        List<JobRow> followUps = job.followUpJobIds().stream().map(jobs::get).map(this::row).toList();
        return new JobPage(row, job, followUps, jobs.log(id, LOG_LINES), engineer && row.live());
    }

    JobRow row(JobView j) {
        CheckpointView cp = checkpoint(j.checkpointId());
        String subject = switch (j.type()) {
            case "QUANTIZE" -> versioned(j.recipe()) + (j.calibrationDataset() == null ? ""
                    : " · calibrated on " + versioned(j.calibrationDataset()));
            case "EVALUATE" -> "on " + versioned(j.dataset());
            default -> "on " + j.hardwareTarget();
        };
        return new JobRow(j.id(), Figures.shortId(j.id()), j.type(), j.status(), j.progress(),
                (int) Math.round(j.progress() * 100), j.message(), cp == null ? null : cp.modelName(),
                cp == null ? null : cp.version(), subject, j.hardwareTarget(), j.attempts(), j.maxAttempts(),
                j.createdBy(), j.createdAt(), j.variantId(), j.error(), j.cancelRequested());
    }

    private CheckpointView checkpoint(UUID id) {
        try {
            return id == null ? null : checkpoints.get(id);
        } catch (ApiException e) {
            return null;
        }
    }

    private static String versioned(Map<String, Object> ref) {
        return ref == null ? "—" : ref.get("name") + "@" + ref.get("version");
    }
}
