package io.qreg.registry.portal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.approval.ApprovalService;
import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.dataset.DatasetService;
import io.qreg.registry.job.WorkerService;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.policy.PolicyService;
import io.qreg.registry.policy.Verdict;
import io.qreg.registry.recipe.RecipeService;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.variant.VariantView;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/** Reads what the dashboard shows, each part bounded so the page stays fast however big the registry grows. */
@Component
@RequiredArgsConstructor
class DashboardPage {

    static final int RECENT_JOBS = 8;
    static final int FLEET_ROWS = 8;
    static final int PENDING_APPROVALS = 5;
    static final int RECENT_MODELS = 5;
    /** The dashboard judges this many of the newest variants; older failures are on their model pages. */
    static final int JUDGED_VARIANTS = 50;
    static final int FAILED_VARIANTS = 8;

    private final ModelService models;
    private final CheckpointService checkpoints;
    private final RecipeService recipes;
    private final DatasetService datasets;
    private final ModelPages modelPages;
    private final JobPages jobPages;
    private final WorkerService workers;
    private final VariantService variants;
    private final PolicyService policies;
    private final ApprovalService approvals;

    public record Totals(long models, long checkpoints, long recipes, long datasets) {
    }

    public record Fleet(WorkerService.FleetCounts counts, List<Worker> workers) {
    }

    public record Worker(UUID id, String name, String state, String hardware, Instant lastSeenAt, UUID currentJobId) {
    }

    public record FailedVariant(UUID id, String shortId, String modelName, String precisionLabel, Instant createdAt,
            List<String> failedChecks) {
    }

    /** The pending approvals slot: requests the signed-in person may still sign, newest first. */
    public record PendingApprovals(List<ApprovalView> items, long total) {
    }

    Totals totals() {
        return new Totals(models.count(), checkpoints.count(), recipes.count(), datasets.count());
    }

    List<ModelSummary> recentModels() {
        return modelPages.recent(RECENT_MODELS);
    }

    List<JobPages.JobRow> recentJobs() {
        return jobPages.recent(RECENT_JOBS);
    }

    Fleet fleet() {
        List<Worker> rows = workers.fleet(PageRequest.of(0, FLEET_ROWS)).getContent().stream()
                .map(w -> new Worker(w.id(), w.name(), w.state(), VariantPages.hardware(w.hardwareProfile()),
                        w.lastSeenAt(), w.currentJobId()))
                .toList();
        return new Fleet(workers.counts(), rows);
    }

    /**
     * The newest variants whose verdict does not pass, in two lists a reader acts on differently:
     * {@code failed} holds those with a check that failed on recorded evidence (the variant is worse than
     * its policy allows); {@code awaitingEvidence} those whose every failed check lacks evidence yet (no
     * evaluation or benchmark to judge: run one, nothing is known to be wrong).
     */
    public record Unpassed(List<FailedVariant> failed, List<FailedVariant> awaitingEvidence) {
    }

    Unpassed unpassedVariants() {
        List<VariantView> newest = variants.recent(JUDGED_VARIANTS);
        Map<UUID, Verdict> verdicts = policies.verdicts(newest);
        List<FailedVariant> failed = new ArrayList<>();
        List<FailedVariant> awaiting = new ArrayList<>();
        for (VariantView v : newest) {
            Verdict verdict = verdicts.get(v.id());
            if (verdict.passed()) {
                continue;
            }
            List<FailedVariant> into = verdict.failedChecks().stream().anyMatch(DashboardPage::restsOnEvidence)
                    ? failed : awaiting;
            if (into.size() < FAILED_VARIANTS) {
                into.add(new FailedVariant(v.id(), Figures.shortId(v.id()), v.modelName(), v.precisionLabel(),
                        v.createdAt(), verdict.failedChecks().stream().map(Verdict.Check::summary).toList()));
            }
        }
        return new Unpassed(failed, awaiting);
    }

    /** A check that measured something (or read a recorded result) and found it wanting. */
    private static boolean restsOnEvidence(Verdict.Check check) {
        return check.actual() != null || !check.evidence().isEmpty();
    }

    PendingApprovals pendingApprovals() {
        Page<ApprovalView> mine = approvals.search("PENDING", true, null, null, null, null,
                PageRequest.of(0, PENDING_APPROVALS));
        return new PendingApprovals(mine.getContent(), mine.getTotalElements());
    }
}
