package io.qreg.registry.rollout;

import java.util.List;
import java.util.UUID;

import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The gateways' canary health reports. A report is kept with the thresholds it crosses, but moves
 * nothing by itself: the reports of an analysis interval are combined and judged together when the
 * interval ends ({@link AnalysisJudge}), so one bad report among many good ones is weighed, not obeyed.
 */
@Service
class HealthReports {

    private final RolloutService rollouts;
    private final RolloutStore store;

    HealthReports(RolloutService rollouts, RolloutStore store) {
        this.rollouts = rollouts;
        this.store = store;
    }

    /** Stores the report and answers with the rollout as it now is. */
    @Transactional
    public RolloutView record(UUID id, HealthReport report) {
        return rollouts.view(store(id, report));
    }

    /** Stores the report; returns the rollout it was recorded on. */
    @Transactional
    public Rollout store(UUID id, HealthReport report) {
        if (report == null || (report.errorRate() == null && report.p99LatencyMs() == null
                && report.qualityProxy() == null)) {
            throw ApiException.invalid("errorRate", "report at least one of errorRate (0-1), p99LatencyMs"
                    + " and qualityProxy (0-1), with requests (how many requests they stand for)");
        }
        if (report.errorRate() != null) {
            Thresholds.fraction("errorRate", report.errorRate());
        }
        if (report.p99LatencyMs() != null && (report.p99LatencyMs().isNaN() || report.p99LatencyMs() < 0)) {
            throw ApiException.invalid("p99LatencyMs", "p99LatencyMs must be 0 or more, got " + report.p99LatencyMs());
        }
        if (report.qualityProxy() != null) {
            Thresholds.fraction("qualityProxy", report.qualityProxy());
        }
        if (report.requests() != null && report.requests() < 0) {
            throw ApiException.invalid("requests", "requests must be 0 or more, got " + report.requests());
        }
        Rollout rollout = rollouts.lock(id);
        try {
            rollout.requireActive("sent health reports");
        } catch (IllegalRolloutTransitionException e) {
            throw ApiException.conflict(e.getMessage());
        }
        List<Thresholds.Breach> breaches = rollout.thresholds().breaches(report.errorRate(), report.p99LatencyMs(),
                report.qualityProxy());
        // Kept as data, not appended to the audit log one by one (a gateway may report every few
        // seconds per rollout): what the reports decided is audited with the move it made, which
        // carries the interval's combined figures (see AnalysisJudge).
        store.insertHealth(UUID.randomUUID(), rollout, report, breaches, Timestamps.now(), CurrentUser.username());
        return rollout;
    }
}
