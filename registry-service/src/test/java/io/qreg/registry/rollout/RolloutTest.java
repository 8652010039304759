package io.qreg.registry.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.quant.WeightPrecision;
import io.qreg.registry.support.IllegalTransitionException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * The rollout aggregate on its own: each edge of its state machine, the ones it refuses by naming
 * the phase, the moves {@link Rollout#allowedMoves()} offers in every phase, and the {@link RolloutEvent}s
 * each move registers for publication (with the tier's split after it).
 */
class RolloutTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    /** One passing interval of 60 s passes a step's analysis. */
    private static final Analysis ONE_PASS = new Analysis(60, 1, false, Thresholds.DEFAULTS);

    private static Backend variant(WeightPrecision precision) {
        return Backend.variant(UUID.randomUUID(), precision, "ab".repeat(32));
    }

    /** The checkpoint that serves the tier the tests roll out to. */
    private static final Backend STABLE = Backend.checkpoint(UUID.randomUUID(), "cd".repeat(32));

    /** A rollout into a tier a checkpoint serves, over the steps given. */
    private static Rollout started(List<Integer> steps) {
        return Rollout.start(UUID.randomUUID(), "support-intent", "production", "standard",
                variant(WeightPrecision.INT8), STABLE, null, List.of(), null, steps, ONE_PASS, NOW, "alice",
                new TierServing("standard", STABLE, UUID.randomUUID(), null));
    }

    /** What the tier serves while this rollout is its only one: the stable backend it started from, and itself. */
    private static TierServing alone(Rollout r) {
        return new TierServing(r.tier(), r.previous(), null, r);
    }

    private static void pass(Rollout r) {
        r.judged(IntervalOutcome.PASSED, "error rate 0.1%", NOW.plusSeconds(60));
    }

    @Test
    void aNewRolloutProgressesAtItsFirstStepAndOffersOnlyAForcedAdvanceUntilItsAnalysisPasses() {
        Rollout r = started(List.of(5, 25, 100));
        assertThat(r.phase()).isEqualTo(RolloutPhase.PROGRESSING);
        assertThat(r.percent()).isEqualTo(5);
        assertThat(r.nextPercent()).isEqualTo(25);
        assertThat(r.allowedMoves()).containsExactly(RolloutMove.FORCE_ADVANCE, RolloutMove.PAUSE,
                RolloutMove.ROLLBACK);
        assertThatThrownBy(() -> r.advance(NOW, alone(r))).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("cannot be advanced yet").hasMessageContaining("0 of 1 passing intervals");

        pass(r);
        assertThat(r.analysisPassed()).isTrue();
        assertThat(r.allowedMoves()).containsExactly(RolloutMove.ADVANCE, RolloutMove.PAUSE, RolloutMove.ROLLBACK);
    }

    @Test
    void intoAnEmptyTierTheCandidateTakesAllTrafficAtOnceAndNothingIsLeftToDo() {
        Rollout r = Rollout.start(UUID.randomUUID(), "d", "production", "standard", variant(WeightPrecision.INT8), null,
                null, List.of(), null, List.of(5, 25, 100), ONE_PASS, NOW, "alice",
                new TierServing("standard", null, null, null));
        assertThat(r.phase()).isEqualTo(RolloutPhase.COMPLETED);
        assertThat(r.percent()).isEqualTo(100);
        assertThat(r.finishedAt()).isEqualTo(NOW);
        assertThat(r.reason()).contains("no stable backend");
        assertThat(r.allowedMoves()).isEmpty();
    }

    @Test
    void advancingStepByStepCompletesAtOneHundredPercent() {
        Rollout r = started(List.of(5, 25, 100));
        pass(r);
        assertThat(r.advance(NOW.plusSeconds(61), alone(r))).isNull();
        assertThat(r.percent()).isEqualTo(25);
        assertThat(r.consecutivePasses()).as("a new step is analysed afresh").isZero();
        assertThat(r.allowedMoves()).contains(RolloutMove.FORCE_ADVANCE).doesNotContain(RolloutMove.ADVANCE);

        pass(r);
        r.advance(NOW.plusSeconds(121), alone(r));
        assertThat(r.phase()).isEqualTo(RolloutPhase.COMPLETED);
        assertThat(r.percent()).isEqualTo(100);
        assertThat(r.nextPercent()).isNull();
        assertThat(r.finishedAt()).isEqualTo(NOW.plusSeconds(121));
        assertThat(r.allowedMoves()).isEmpty();
        assertThatThrownBy(() -> r.pause(NOW, alone(r))).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is COMPLETED and cannot be paused");
        assertThatThrownBy(() -> r.rollBack("late", NOW, alone(r), false, null))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("start a rollout of it");
    }

    @Test
    void aForcedAdvanceIsRecordedWithWhoAndWhyOnlyWhenItOverrodeTheAnalysis() {
        Rollout r = started(List.of(0, 50, 100));
        ForcedAdvance forced = r.forceAdvance("alice", "the shadow step had no traffic", NOW.plusSeconds(5), alone(r));
        assertThat(forced).isNotNull();
        assertThat(forced.by()).isEqualTo("alice");
        assertThat(forced.reason()).isEqualTo("the shadow step had no traffic");
        assertThat(r.percent()).isEqualTo(50);
        assertThat(r.forcedAdvances()).containsExactly(forced);

        pass(r);
        assertThat(r.forceAdvance("bob", "why not", NOW.plusSeconds(70), alone(r))).as("nothing overridden").isNull();
        assertThat(r.phase()).isEqualTo(RolloutPhase.COMPLETED);
        assertThat(r.forcedAdvances()).hasSize(1);
    }

    @Test
    void aPausedRolloutOffersResumeAndRollbackAndRefusesToAdvance() {
        Rollout r = started(List.of(5, 100));
        pass(r);
        r.pause(NOW.plusSeconds(61), alone(r));
        assertThat(r.phase()).isEqualTo(RolloutPhase.PAUSED);
        assertThat(r.allowedMoves()).containsExactly(RolloutMove.RESUME, RolloutMove.ROLLBACK);
        assertThatThrownBy(() -> r.advance(NOW, alone(r))).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is PAUSED and cannot be advanced; that needs PROGRESSING");
        assertThatThrownBy(() -> r.pause(NOW, alone(r))).isInstanceOf(IllegalTransitionException.class);

        r.resume(NOW.plusSeconds(120), alone(r));
        assertThat(r.phase()).isEqualTo(RolloutPhase.PROGRESSING);
        assertThat(r.analysisPassed()).as("the passes before the pause stay").isTrue();
        assertThat(r.intervalStartedAt()).as("a resume starts a new interval").isEqualTo(NOW.plusSeconds(120));
        assertThat(r.allowedMoves()).containsExactly(RolloutMove.ADVANCE, RolloutMove.PAUSE, RolloutMove.ROLLBACK);
        assertThatThrownBy(() -> r.resume(NOW, alone(r))).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is PROGRESSING and cannot be resumed");
    }

    @Test
    void aRollbackEndsTheRolloutWithItsReasonAndTheCandidateAtZero() {
        Rollout paused = started(List.of(5, 100));
        paused.pause(NOW, alone(paused));
        paused.rollBack("error rate doubled", NOW.plusSeconds(30), alone(paused), false, null);
        assertThat(paused.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
        assertThat(paused.percent()).isZero();
        assertThat(paused.reason()).isEqualTo("error rate doubled");
        assertThat(paused.finishedAt()).isEqualTo(NOW.plusSeconds(30));
        assertThat(paused.allowedMoves()).isEmpty();
        assertThatThrownBy(() -> paused.rollBack("again", NOW, alone(paused), false, null))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is ROLLED_BACK and cannot be rolled back");

        Rollout progressing = started(List.of(5, 100));
        progressing.rollBack(null, NOW, alone(progressing), false, null);
        assertThat(progressing.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    }

    @Test
    void anIntervalWithoutDataSetsTheStepsPassesBackOnlyBeforeTheAnalysisHasPassed() {
        Rollout r = Rollout.start(UUID.randomUUID(), "d", "production", "standard", variant(WeightPrecision.INT8),
                Backend.checkpoint(UUID.randomUUID(), "cd".repeat(32)), null, List.of(), null, List.of(5, 100),
                new Analysis(60, 2, false, Thresholds.DEFAULTS), NOW, "alice",
                new TierServing("standard", STABLE, null, null));
        r.judged(IntervalOutcome.PASSED, "ok", NOW.plusSeconds(60));
        r.judged(IntervalOutcome.NO_DATA, "no requests", NOW.plusSeconds(120));
        assertThat(r.consecutivePasses()).isZero();
        r.judged(IntervalOutcome.PASSED, "ok", NOW.plusSeconds(180));
        r.judged(IntervalOutcome.PASSED, "ok", NOW.plusSeconds(240));
        assertThat(r.analysisPassed()).isTrue();
        r.judged(IntervalOutcome.NO_DATA, "no requests", NOW.plusSeconds(300));
        assertThat(r.analysisPassed()).as("a passed analysis stays passed until the step changes").isTrue();
        assertThat(r.lastJudgement()).isEqualTo("no requests");
        assertThat(r.allowedMoves()).contains(RolloutMove.ADVANCE);
    }

    @Test
    void everyMoveHasOneWordInTheUrlAndOnlyThoseWordsNameMoves() {
        for (RolloutMove move : RolloutMove.values()) {
            assertThat(RolloutMove.fromPath(move.path())).contains(move);
        }
        assertThat(RolloutMove.fromPath("force-advance")).contains(RolloutMove.FORCE_ADVANCE);
        assertThat(RolloutMove.fromPath("ADVANCE")).isEmpty();
        assertThat(RolloutMove.fromPath("delete")).isEmpty();
    }

    // ---------------------------------------------------------------- the events each move registers

    private static Map<String, Integer> split(Backend stable, int stableWeight, Backend canary, int canaryWeight) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        weights.put(stable.cluster(), stableWeight);
        weights.put(canary.cluster(), canaryWeight);
        return weights;
    }

    @Test
    void aStartRegistersRolloutStartedWithTheCanarysShareOfTheTier() {
        Rollout r = started(List.of(5, 25, 100));
        RolloutEvent.RolloutStarted expected = new RolloutEvent.RolloutStarted(r.id(), r.deploymentId(),
                "support-intent", "production", "standard", r.candidate().id(), null, 0, 5,
                split(STABLE, 95, r.candidate(), 5), NOW);
        assertThat(r.pendingEvents()).containsExactly(expected);
        assertThat(((RolloutEvent) r.pendingEvents().get(0)).weights()).as("stable first")
                .containsExactly(Map.entry(STABLE.cluster(), 95), Map.entry(r.candidate().cluster(), 5));
    }

    @Test
    void aStartIntoAnEmptyTierRegistersStartedThenCompletedWithAllTrafficOnTheCandidate() {
        Backend checkpoint = Backend.checkpoint(UUID.randomUUID(), "ef".repeat(32));
        Rollout r = Rollout.start(UUID.randomUUID(), "d", "production", "standard", checkpoint, null, null, List.of(),
                null, List.of(5, 100), ONE_PASS, NOW, "alice", new TierServing("standard", null, null, null));
        Map<String, Integer> all = Map.of(checkpoint.cluster(), 100);
        assertThat(r.pendingEvents()).containsExactly(
                new RolloutEvent.RolloutStarted(r.id(), r.deploymentId(), "d", "production", "standard", null,
                        checkpoint.id(), 1, 100, all, NOW),
                new RolloutEvent.RolloutCompleted(r.id(), r.deploymentId(), "d", "production", "standard", null,
                        checkpoint.id(), all, NOW));
    }

    @Test
    void eachAdvanceRegistersRolloutSteppedAndTheLastOneRolloutCompletedToo() {
        Rollout r = started(List.of(5, 25, 100));
        pass(r);
        r.advance(NOW.plusSeconds(61), alone(r));
        assertThat(r.pendingEvents()).hasSize(2).last().isEqualTo(new RolloutEvent.RolloutStepped(r.id(),
                r.deploymentId(), "support-intent", "production", "standard", 1, 25,
                split(STABLE, 75, r.candidate(), 25), NOW.plusSeconds(61)));

        r.forceAdvance("alice", "enough", NOW.plusSeconds(70), alone(r));
        Map<String, Integer> all = Map.of(r.candidate().cluster(), 100);
        assertThat(r.pendingEvents()).hasSize(4).endsWith(
                new RolloutEvent.RolloutStepped(r.id(), r.deploymentId(), "support-intent", "production", "standard",
                        2, 100, all, NOW.plusSeconds(70)),
                new RolloutEvent.RolloutCompleted(r.id(), r.deploymentId(), "support-intent", "production",
                        "standard", r.candidate().id(), null, all, NOW.plusSeconds(70)));
    }

    @Test
    void pauseAndResumeRegisterTheirEventsWithTheSplitUnchanged() {
        Rollout r = started(List.of(5, 100));
        r.pause(NOW.plusSeconds(10), alone(r));
        r.resume(NOW.plusSeconds(20), alone(r));
        Map<String, Integer> unchanged = split(STABLE, 95, r.candidate(), 5);
        assertThat(r.pendingEvents()).hasSize(3).endsWith(
                new RolloutEvent.RolloutPaused(r.id(), r.deploymentId(), "support-intent", "production", "standard",
                        0, unchanged, NOW.plusSeconds(10)),
                new RolloutEvent.RolloutResumed(r.id(), r.deploymentId(), "support-intent", "production",
                        "standard", 0, unchanged, NOW.plusSeconds(20)));
    }

    @Test
    void aRollbackRegistersRolloutRolledBackWithTheStableBackendTakingAllTrafficAgain() {
        Rollout judged = started(List.of(5, 100));
        judged.rollBack("error rate 4% > 1%", NOW.plusSeconds(60), alone(judged), true, "error_rate");
        assertThat(judged.pendingEvents()).last().isEqualTo(new RolloutEvent.RolloutRolledBack(judged.id(),
                judged.deploymentId(), "support-intent", "production", "standard", true, "error_rate",
                "error rate 4% > 1%", Map.of(STABLE.cluster(), 100), NOW.plusSeconds(60)));

        Rollout manual = started(List.of(5, 100));
        manual.rollBack("by bob", NOW, alone(manual), false, null);
        RolloutEvent.RolloutRolledBack event = (RolloutEvent.RolloutRolledBack) manual.pendingEvents().get(1);
        assertThat(event.automatic()).isFalse();
        assertThat(event.breachedMetric()).isNull();
        assertThat(event.reason()).isEqualTo("by bob");
    }

    @Test
    void aRefusedMoveRegistersNoEvent() {
        Rollout r = started(List.of(5, 100));
        List<Object> before = r.pendingEvents();
        assertThatThrownBy(() -> r.advance(NOW, alone(r))).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> r.resume(NOW, alone(r))).isInstanceOf(IllegalTransitionException.class);
        r.rollBack("gone", NOW, alone(r), false, null);
        assertThatThrownBy(() -> r.pause(NOW, alone(r))).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> r.rollBack("again", NOW, alone(r), false, null))
                .isInstanceOf(IllegalTransitionException.class);
        assertThat(r.pendingEvents()).hasSize(before.size() + 1).startsWith(before.toArray());
        assertThat(r.copy().pendingEvents()).as("a copy starts with nothing to publish").isEmpty();
    }

    @Test
    void aRevertThatCompletesAtOnceLeavesAnotherRolloutsCanaryItsShare() {
        Rollout canary = started(List.of(25, 100));
        Backend previous = Backend.checkpoint(UUID.randomUUID(), "ef".repeat(32));
        Rollout revert = Rollout.start(canary.deploymentId(), "support-intent", "production", "standard", previous,
                STABLE, null, List.of(), null, List.of(100), ONE_PASS, NOW, "system",
                new TierServing("standard", STABLE, UUID.randomUUID(), canary));
        assertThat(revert.phase()).isEqualTo(RolloutPhase.COMPLETED);
        Map<String, Integer> weights = split(previous, 75, canary.candidate(), 25);
        assertThat(revert.pendingEvents()).containsExactly(
                new RolloutEvent.RolloutStarted(revert.id(), canary.deploymentId(), "support-intent", "production",
                        "standard", null, previous.id(), 0, 100, weights, NOW),
                new RolloutEvent.RolloutCompleted(revert.id(), canary.deploymentId(), "support-intent",
                        "production", "standard", null, previous.id(), weights, NOW));
    }
}
