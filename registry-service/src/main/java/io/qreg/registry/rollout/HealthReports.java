package io.qreg.registry.rollout;

import io.qreg.registry.support.IllegalTransitionException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The gateways' canary health reports. A report is kept with the thresholds it crosses, but moves
 * nothing by itself: the reports of an analysis interval are combined and judged together when the
 * interval ends ({@link AnalysisJudge}), so one bad report among many good ones is weighed, not obeyed.
 *
 * <p>Reports are data, not audit events (a gateway may report every few seconds per rollout): what
 * they decided is audited with the move it made, which carries the interval's combined figures.
 * Storing one takes no lock: a report only adds a row, and the insert itself checks that the rollout
 * is still active at the step it was read at. Reports count by the interval their time falls in, so
 * taking the deployment's lock, as moves do, would only queue gateways behind the judge.
 */
@Service
class HealthReports {

    private final RolloutService rollouts;
    private final Rollouts store;
    private final TransactionTemplate tx;

    HealthReports(RolloutService rollouts, Rollouts store, PlatformTransactionManager transactions) {
        this.rollouts = rollouts;
        this.store = store;
        this.tx = new TransactionTemplate(transactions);
    }

    /** Stores the report and answers with the rollout as it now is. */
    public RolloutView record(UUID id, HealthReport report) {
        return rollouts.view(store(id, report));
    }

    /** Stores the report; returns the rollout it was recorded on. */
    public Rollout store(UUID id, HealthReport report) {
        if (report == null) {
            throw ApiException.invalid("errorRate", missingFigures(""));
        }
        validate("", report);
        for (int attempt = 0; ; attempt++) {
            Rollout rollout = store.find(id).orElseThrow(() -> ApiException.notFound("rollout", id));
            try {
                rollout.requireActive("sent health reports");
            } catch (IllegalTransitionException e) {
                throw ApiException.conflict(e.getMessage());
            }
            if (store.insertHealth(UUID.randomUUID(), rollout, report, breaches(rollout, report), Timestamps.now(),
                    CurrentUser.username())) {
                return rollout;
            }
            if (attempt == 2) {
                throw ApiException.conflict("rollout " + id + " moved while the report was stored; send it again");
            }
        }
    }

    /**
     * Stores a batch: every entry is checked first (a bad one refuses the whole batch, naming it, and
     * nothing is stored), then the entries on active rollouts are stored together in one transaction;
     * each entry's outcome says whether it was.
     */
    public HealthBatch.Result storeAll(HealthBatch batch) {
        List<HealthBatch.Entry> entries = batch == null ? null : batch.reports();
        if (entries == null || entries.isEmpty()) {
            throw ApiException.invalid("reports", "reports is a non-empty list of {rolloutId, errorRate, p99LatencyMs,"
                    + " qualityProxy, requests}");
        }
        if (entries.size() > HealthBatch.MAX_REPORTS) {
            throw ApiException.invalid("reports", "a batch holds at most " + HealthBatch.MAX_REPORTS
                    + " reports, got " + entries.size());
        }
        Set<UUID> ids = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String field = "reports[" + i + "]";
            HealthBatch.Entry entry = entries.get(i);
            if (entry == null || entry.rolloutId() == null) {
                throw ApiException.invalid(field + ".rolloutId", field + ".rolloutId is required");
            }
            validate(field + ".", entry.report());
            ids.add(entry.rolloutId());
        }
        Map<UUID, Rollout> found = store.findAll(ids);
        HealthBatch.Outcome[] outcomes = new HealthBatch.Outcome[entries.size()];
        List<Rollouts.NewHealth> pending = new ArrayList<>();
        List<Integer> pendingAt = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            HealthBatch.Entry entry = entries.get(i);
            Rollout rollout = found.get(entry.rolloutId());
            if (rollout == null) {
                outcomes[i] = new HealthBatch.Outcome(entry.rolloutId(), 404, "no rollout " + entry.rolloutId());
            } else if (!rollout.phase().isActive()) {
                outcomes[i] = new HealthBatch.Outcome(entry.rolloutId(), 409, "rollout " + entry.rolloutId() + " is "
                        + rollout.phase() + "; health reports need PROGRESSING or PAUSED");
            } else {
                pending.add(new Rollouts.NewHealth(UUID.randomUUID(), rollout, entry.report(),
                        breaches(rollout, entry.report())));
                pendingAt.add(i);
            }
        }
        String by = CurrentUser.username();
        int[] inserted = tx.execute(status -> store.insertHealth(pending, Timestamps.now(), by));
        int stored = 0;
        for (int j = 0; j < pending.size(); j++) {
            UUID id = pending.get(j).rollout().id();
            boolean ok = inserted[j] == 1;
            stored += ok ? 1 : 0;
            outcomes[pendingAt.get(j)] = new HealthBatch.Outcome(id, ok ? 201 : 409,
                    ok ? null : "rollout " + id + " moved while the report was stored; send it again");
        }
        return new HealthBatch.Result(stored, List.of(outcomes));
    }

    private static List<Thresholds.Breach> breaches(Rollout rollout, HealthReport report) {
        return rollout.thresholds().breaches(report.errorRate(), report.p99LatencyMs(), report.qualityProxy());
    }

    /** Checks one report's figures; {@code prefix} places the field in the request ("" or "reports[3]."). */
    private static void validate(String prefix, HealthReport report) {
        if (report.errorRate() == null && report.p99LatencyMs() == null && report.qualityProxy() == null) {
            throw ApiException.invalid(prefix + "errorRate", missingFigures(prefix));
        }
        if (report.errorRate() != null) {
            Thresholds.fraction(prefix + "errorRate", report.errorRate());
        }
        if (report.p99LatencyMs() != null && (report.p99LatencyMs().isNaN() || report.p99LatencyMs() < 0)) {
            throw ApiException.invalid(prefix + "p99LatencyMs", prefix + "p99LatencyMs must be 0 or more, got "
                    + report.p99LatencyMs());
        }
        if (report.qualityProxy() != null) {
            Thresholds.fraction(prefix + "qualityProxy", report.qualityProxy());
        }
        if (report.requests() != null && report.requests() < 0) {
            throw ApiException.invalid(prefix + "requests", prefix + "requests must be 0 or more, got "
                    + report.requests());
        }
    }

    private static String missingFigures(String prefix) {
        return "report at least one of " + prefix + "errorRate (0-1), p99LatencyMs and qualityProxy (0-1), with"
                + " requests (how many requests they stand for)";
    }
}
