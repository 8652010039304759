package io.qreg.registry.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import jakarta.annotation.PreDestroy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Judges the analysis intervals of moving rollouts as they end, about once a second on every
 * registry instance. One batched read finds what is due (the rollouts themselves, with each
 * interval's health reports already combined by the database), the deployments' Prometheus metrics
 * are queried all at once outside any transaction, and then each rollout is judged in its own short
 * transaction under its deployment's row lock, taken with SKIP LOCKED: a deployment another
 * instance (or a person's move) holds is judged at the next tick. The judgement is written only if
 * the rollout is still where the batch read found it, and the interval's unique key keeps a
 * judgement from counting twice.
 *
 * <p>Most judgements move nothing (a pass that does not yet complete the step, or no data): those
 * of one tick are written together, in one transaction with two batched statements under the row
 * locks of all their deployments that are free, since one transaction per rollout would cost far
 * more than the judging. The judgements that move a rollout (a failure, a pass that advances it)
 * each get their own transaction, deployments in parallel on a few threads (one deployment's
 * rollouts one after the other, as they share its lock). A batch that fails as a whole (e.g.
 * another instance judged one of its intervals) is judged again rollout by rollout.
 *
 * <p>A failed interval rolls the rollout back; a passing one that completes the step's analysis
 * advances it when the analysis says {@code autoAdvance} (a refused advance, e.g. a lapsed
 * approval, leaves the step passed and waiting for a person, the refusal in its last judgement).
 */
@Component
class AnalysisJudge {

    private static final Logger log = LoggerFactory.getLogger(AnalysisJudge.class);
    static final int BATCH = 5_000;

    private final Analyses analyses;
    private final Rollouts rollouts;
    private final RolloutService moves;
    private final PrometheusClient prometheus;
    private final TransactionTemplate tx;
    private final ExecutorService workers;

    AnalysisJudge(Analyses analyses, Rollouts rollouts, RolloutService moves, PrometheusClient prometheus,
            PlatformTransactionManager transactions,
            @Value("${qreg.rollouts.analysis-threads:4}") int threads) {
        this.analyses = analyses;
        this.rollouts = rollouts;
        this.moves = moves;
        this.prometheus = prometheus;
        this.tx = new TransactionTemplate(transactions);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "analysis-judge-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void stop() {
        workers.shutdownNow();
    }

    @Scheduled(fixedDelayString = "${qreg.rollouts.analysis-tick-millis:1000}", initialDelay = 1000)
    void tick() {
        judgeDue(Timestamps.now());
    }

    /** Judges every interval that ended by {@code now}; returns how many were judged. */
    int judgeDue(Instant now) {
        List<Analyses.Due> due = analyses.due(now, BATCH);
        if (due.isEmpty()) {
            return 0;
        }
        Map<UUID, List<IntervalJudgement.Reading>> readings = prometheus.read(due);
        List<Analyses.Due> quiet = new ArrayList<>();
        List<Analyses.Due> moving = new ArrayList<>();
        for (Analyses.Due d : due) {
            Rollout r = d.copyOfRollout();
            IntervalJudgement j = IntervalJudgement.judge(r.thresholds(), d.health(), metricsOf(readings, d));
            r.judged(j.outcome(), j.summary(), now);
            boolean moves = j.outcome() == IntervalOutcome.FAILED || (r.analysisPassed() && r.analysis().autoAdvance());
            (moves ? moving : quiet).add(d);
        }
        int judgedQuietly = judgeQuietly(quiet, readings);
        return judgedQuietly + judgeOneByOne(moving, readings);
    }

    private static List<IntervalJudgement.Reading> metricsOf(Map<UUID, List<IntervalJudgement.Reading>> readings,
            Analyses.Due d) {
        return readings.getOrDefault(d.rolloutId(), List.of());
    }

    /**
     * The judgements that move nothing, in one transaction; those whose deployment was busy wait for
     * the next tick. Falls back to one by one if the batch fails.
     */
    private int judgeQuietly(List<Analyses.Due> quiet, Map<UUID, List<IntervalJudgement.Reading>> readings) {
        if (quiet.isEmpty()) {
            return 0;
        }
        try {
            Integer judged = tx.execute(status -> {
                var locked = analyses.tryLockAll(quiet.stream().map(d -> d.rollout().deploymentId())
                        .collect(java.util.stream.Collectors.toSet()));
                List<Rollouts.JudgedRollout> rollouts = new ArrayList<>();
                List<Analyses.Judged> intervals = new ArrayList<>();
                Instant at = Timestamps.now();
                for (Analyses.Due d : quiet) {
                    if (!locked.contains(d.rollout().deploymentId())) {
                        continue;
                    }
                    Rollout r = d.copyOfRollout();
                    int step = r.stepIndex();
                    Instant start = r.intervalStartedAt();
                    Instant end = r.intervalEndsAt();
                    IntervalJudgement j = IntervalJudgement.judge(r.thresholds(), d.health(), metricsOf(readings, d));
                    r.judged(j.outcome(), j.summary(), at);
                    rollouts.add(new Rollouts.JudgedRollout(r, step, end));
                    intervals.add(new Analyses.Judged(UUID.randomUUID(), r.id(), step, start, end, j,
                            r.consecutivePasses(), at));
                }
                int[] updated = this.rollouts.updateJudged(rollouts);
                List<Analyses.Judged> written = new ArrayList<>();
                for (int i = 0; i < updated.length; i++) {
                    if (updated[i] == 1) {
                        written.add(intervals.get(i));
                    }
                }
                analyses.insertAll(written);
                return written.size();
            });
            return judged == null ? 0 : judged;
        } catch (RuntimeException batchFailed) {
            log.debug("analysis judge: the batch of {} failed ({}); judging them one by one", quiet.size(),
                    batchFailed.toString());
            return judgeOneByOne(quiet, readings);
        }
    }

    /** Each rollout in its own transaction, deployments in parallel. */
    private int judgeOneByOne(List<Analyses.Due> due, Map<UUID, List<IntervalJudgement.Reading>> readings) {
        Map<UUID, List<Analyses.Due>> byDeployment = new LinkedHashMap<>();
        for (Analyses.Due d : due) {
            byDeployment.computeIfAbsent(d.rollout().deploymentId(), k -> new ArrayList<>()).add(d);
        }
        List<Future<Integer>> judging = new ArrayList<>();
        for (List<Analyses.Due> ofDeployment : byDeployment.values()) {
            judging.add(workers.submit(() -> {
                int judged = 0;
                for (Analyses.Due d : ofDeployment) {
                    if (judgeSafely(d, metricsOf(readings, d))) {
                        judged++;
                    }
                }
                return judged;
            }));
        }
        int judged = 0;
        for (Future<Integer> f : judging) {
            try {
                judged += f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return judged;
            } catch (ExecutionException e) {
                log.warn("analysis judge: {}", e.getCause().toString());
            }
        }
        return judged;
    }

    private boolean judgeSafely(Analyses.Due d, List<IntervalJudgement.Reading> metrics) {
        try {
            try {
                return judge(d, metrics, true, null);
            } catch (ApiException refused) {
                // The advance was refused (e.g. the approval no longer holds): count the interval, do not move.
                return judge(d, metrics, false, "auto-advance refused: " + refused.getMessage());
            }
        } catch (DuplicateKeyException judgedElsewhere) {
            log.debug("interval of rollout {} ending {} was judged by another instance", d.rolloutId(),
                    d.intervalEndsAt());
        } catch (RuntimeException e) {
            log.warn("could not judge the interval of rollout {} ending {}: {}", d.rolloutId(), d.intervalEndsAt(),
                    e.toString());
        }
        return false;
    }

    /** One rollout's interval in one transaction; false when it had moved on or its deployment was busy. */
    private boolean judge(Analyses.Due d, List<IntervalJudgement.Reading> metrics, boolean mayAdvance,
            String note) {
        Boolean done = tx.execute(status -> {
            if (!analyses.tryLock(d.rollout().deploymentId())) {
                return false;
            }
            // A fresh copy of the batch's read: a retry must not see the first attempt's changes.
            Rollout r = d.copyOfRollout();
            int step = r.stepIndex();
            Instant start = r.intervalStartedAt();
            Instant end = r.intervalEndsAt();
            IntervalJudgement j = IntervalJudgement.judge(r.thresholds(), d.health(), metrics);
            Instant at = Timestamps.now();
            r.judged(j.outcome(), note == null ? j.summary() : j.summary() + "; " + note, at);
            if (!rollouts.updateJudged(r, step, end)) {
                return false;
            }
            UUID intervalId = UUID.randomUUID();
            analyses.insert(new Analyses.Judged(intervalId, r.id(), step, start, end, j, r.consecutivePasses(),
                    at));
            if (j.outcome() == IntervalOutcome.FAILED) {
                moves.rollBackJudged(r, "canary analysis failed at step " + (step + 1) + " (" + r.percent() + "%): "
                        + String.join(", ", j.reasons()), intervalId, j);
            } else if (mayAdvance && r.analysisPassed() && r.analysis().autoAdvance()) {
                moves.advanceJudged(r, intervalId, j);
            }
            return true;
        });
        return Boolean.TRUE.equals(done);
    }
}
