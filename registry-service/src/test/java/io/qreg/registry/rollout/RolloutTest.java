package io.qreg.registry.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.quant.WeightPrecision;
import io.qreg.registry.support.IllegalTransitionException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * The rollout aggregate on its own: each edge of its state machine, the ones it refuses by naming
 * the phase, and the moves {@link Rollout#allowedMoves()} offers in every phase.
 */
class RolloutTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    /** One passing interval of 60 s passes a step's analysis. */
    private static final Analysis ONE_PASS = new Analysis(60, 1, false, Thresholds.DEFAULTS);

    private static Backend variant(WeightPrecision precision) {
        return Backend.variant(UUID.randomUUID(), precision, "ab".repeat(32));
    }

    /** A rollout into a tier a checkpoint serves, over the steps given. */
    private static Rollout started(List<Integer> steps) {
        return Rollout.start(UUID.randomUUID(), "support-intent", "production", "standard",
                variant(WeightPrecision.INT8), Backend.checkpoint(UUID.randomUUID(), "cd".repeat(32)), null, List.of(), null,
                steps, ONE_PASS, NOW, "alice");
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
        assertThatThrownBy(() -> r.advance(NOW)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("cannot be advanced yet").hasMessageContaining("0 of 1 passing intervals");

        pass(r);
        assertThat(r.analysisPassed()).isTrue();
        assertThat(r.allowedMoves()).containsExactly(RolloutMove.ADVANCE, RolloutMove.PAUSE, RolloutMove.ROLLBACK);
    }

    @Test
    void intoAnEmptyTierTheCandidateTakesAllTrafficAtOnceAndNothingIsLeftToDo() {
        Rollout r = Rollout.start(UUID.randomUUID(), "d", "production", "standard", variant(WeightPrecision.INT8), null,
                null, List.of(), null, List.of(5, 25, 100), ONE_PASS, NOW, "alice");
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
        assertThat(r.advance(NOW.plusSeconds(61))).isNull();
        assertThat(r.percent()).isEqualTo(25);
        assertThat(r.consecutivePasses()).as("a new step is analysed afresh").isZero();
        assertThat(r.allowedMoves()).contains(RolloutMove.FORCE_ADVANCE).doesNotContain(RolloutMove.ADVANCE);

        pass(r);
        r.advance(NOW.plusSeconds(121));
        assertThat(r.phase()).isEqualTo(RolloutPhase.COMPLETED);
        assertThat(r.percent()).isEqualTo(100);
        assertThat(r.nextPercent()).isNull();
        assertThat(r.finishedAt()).isEqualTo(NOW.plusSeconds(121));
        assertThat(r.allowedMoves()).isEmpty();
        assertThatThrownBy(() -> r.pause(NOW)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is COMPLETED and cannot be paused");
        assertThatThrownBy(() -> r.rollBack("late", NOW)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("start a rollout of it");
    }

    @Test
    void aForcedAdvanceIsRecordedWithWhoAndWhyOnlyWhenItOverrodeTheAnalysis() {
        Rollout r = started(List.of(0, 50, 100));
        ForcedAdvance forced = r.forceAdvance("alice", "the shadow step had no traffic", NOW.plusSeconds(5));
        assertThat(forced).isNotNull();
        assertThat(forced.by()).isEqualTo("alice");
        assertThat(forced.reason()).isEqualTo("the shadow step had no traffic");
        assertThat(r.percent()).isEqualTo(50);
        assertThat(r.forcedAdvances()).containsExactly(forced);

        pass(r);
        assertThat(r.forceAdvance("bob", "why not", NOW.plusSeconds(70))).as("nothing overridden").isNull();
        assertThat(r.phase()).isEqualTo(RolloutPhase.COMPLETED);
        assertThat(r.forcedAdvances()).hasSize(1);
    }

    @Test
    void aPausedRolloutOffersResumeAndRollbackAndRefusesToAdvance() {
        Rollout r = started(List.of(5, 100));
        pass(r);
        r.pause(NOW.plusSeconds(61));
        assertThat(r.phase()).isEqualTo(RolloutPhase.PAUSED);
        assertThat(r.allowedMoves()).containsExactly(RolloutMove.RESUME, RolloutMove.ROLLBACK);
        assertThatThrownBy(() -> r.advance(NOW)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is PAUSED and cannot be advanced; that needs PROGRESSING");
        assertThatThrownBy(() -> r.pause(NOW)).isInstanceOf(IllegalTransitionException.class);

        r.resume(NOW.plusSeconds(120));
        assertThat(r.phase()).isEqualTo(RolloutPhase.PROGRESSING);
        assertThat(r.analysisPassed()).as("the passes before the pause stay").isTrue();
        assertThat(r.intervalStartedAt()).as("a resume starts a new interval").isEqualTo(NOW.plusSeconds(120));
        assertThat(r.allowedMoves()).containsExactly(RolloutMove.ADVANCE, RolloutMove.PAUSE, RolloutMove.ROLLBACK);
        assertThatThrownBy(() -> r.resume(NOW)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is PROGRESSING and cannot be resumed");
    }

    @Test
    void aRollbackEndsTheRolloutWithItsReasonAndTheCandidateAtZero() {
        Rollout paused = started(List.of(5, 100));
        paused.pause(NOW);
        paused.rollBack("error rate doubled", NOW.plusSeconds(30));
        assertThat(paused.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
        assertThat(paused.percent()).isZero();
        assertThat(paused.reason()).isEqualTo("error rate doubled");
        assertThat(paused.finishedAt()).isEqualTo(NOW.plusSeconds(30));
        assertThat(paused.allowedMoves()).isEmpty();
        assertThatThrownBy(() -> paused.rollBack("again", NOW)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is ROLLED_BACK and cannot be rolled back");

        Rollout progressing = started(List.of(5, 100));
        progressing.rollBack(null, NOW);
        assertThat(progressing.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    }

    @Test
    void anIntervalWithoutDataSetsTheStepsPassesBackOnlyBeforeTheAnalysisHasPassed() {
        Rollout r = Rollout.start(UUID.randomUUID(), "d", "production", "standard", variant(WeightPrecision.INT8),
                Backend.checkpoint(UUID.randomUUID(), "cd".repeat(32)), null, List.of(), null, List.of(5, 100),
                new Analysis(60, 2, false, Thresholds.DEFAULTS), NOW, "alice");
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
}
