package io.qreg.registry.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.registry.support.IllegalTransitionException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The rollout aggregate's analysis state: passes in a row, the latch once passed, forced advances, intervals. */
class RolloutAnalysisStateTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Rollout rollout(int needed) {
        Backend stable = Backend.checkpoint(UUID.randomUUID(), "a".repeat(64));
        Backend candidate = Backend.checkpoint(UUID.randomUUID(), "b".repeat(64));
        return Rollout.start(UUID.randomUUID(), "d", "production", "standard", candidate, stable, null, List.of(),
                null, List.of(5, 25, 100), new Analysis(10, needed, true, Thresholds.DEFAULTS), T0, "alice",
                new TierServing("standard", stable, null, null));
    }

    /** What the tier serves while this rollout is its only one: the stable backend it started from, and itself. */
    private static TierServing alone(Rollout r) {
        return new TierServing(r.tier(), r.previous(), null, r);
    }

    @Test
    void aStepAdvancesOnlyAfterItsPassesInARowAndNoDataStartsThemOver() {
        Rollout r = rollout(2);
        assertThatThrownBy(() -> r.advance(T0, alone(r))).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("step 1 (5%) has 0 of 2 passing intervals; last interval: none judged yet");

        r.judged(IntervalOutcome.PASSED, "passed", T0.plusSeconds(10));
        r.judged(IntervalOutcome.NO_DATA, "no data: no health report", T0.plusSeconds(20));
        assertThat(r.consecutivePasses()).isZero();
        assertThatThrownBy(() -> r.advance(T0, alone(r)))
                .hasMessageContaining("last interval: no data: no health report");
        r.judged(IntervalOutcome.PASSED, "passed", T0.plusSeconds(30));
        r.judged(IntervalOutcome.PASSED, "passed", T0.plusSeconds(40));
        assertThat(r.analysisPassed()).isTrue();

        r.advance(T0.plusSeconds(41), alone(r));
        assertThat(r.stepIndex()).isEqualTo(1);
        assertThat(r.consecutivePasses()).isZero();
        assertThat(r.analysisPassed()).isFalse();
        assertThat(r.intervalStartedAt()).isEqualTo(T0.plusSeconds(41));
        assertThat(r.intervalEndsAt()).isEqualTo(T0.plusSeconds(51));
    }

    @Test
    void aPassedStepStaysPassedThroughIntervalsWithoutDataButNotThroughAFailure() {
        Rollout r = rollout(1);
        r.judged(IntervalOutcome.PASSED, "passed", T0.plusSeconds(10));
        r.judged(IntervalOutcome.NO_DATA, "no data", T0.plusSeconds(20));
        assertThat(r.analysisPassed()).isTrue();
        r.judged(IntervalOutcome.FAILED, "failed", T0.plusSeconds(30));
        assertThat(r.analysisPassed()).isFalse();
    }

    @Test
    void intervalsFollowBackToBackUnlessTheJudgeIsAWholeIntervalBehind() {
        Rollout r = rollout(2);
        r.judged(IntervalOutcome.NO_DATA, "no data", T0.plusSeconds(11));
        assertThat(r.intervalStartedAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(r.intervalEndsAt()).isEqualTo(T0.plusSeconds(20));
        r.judged(IntervalOutcome.NO_DATA, "no data", T0.plusSeconds(45));
        assertThat(r.intervalStartedAt()).isEqualTo(T0.plusSeconds(45));
        assertThat(r.intervalEndsAt()).isEqualTo(T0.plusSeconds(55));
    }

    @Test
    void aForcedAdvanceIsRecordedOnlyWhenItOverrodeTheAnalysis() {
        Rollout r = rollout(1);
        ForcedAdvance forced = r.forceAdvance("bob", "load test only", T0.plusSeconds(1), alone(r));
        assertThat(forced.fromPercent()).isEqualTo(5);
        assertThat(forced.toPercent()).isEqualTo(25);
        assertThat(forced.missing()).contains("0 of 1 passing intervals");
        r.judged(IntervalOutcome.PASSED, "passed", T0.plusSeconds(12));
        assertThat(r.forceAdvance("bob", "anyway", T0.plusSeconds(13), alone(r))).isNull();
        assertThat(r.phase()).isEqualTo(RolloutPhase.COMPLETED);
        assertThat(r.forcedAdvances()).containsExactly(forced);
    }

    @Test
    void aPausedRolloutIsNotJudgedAndResumingStartsAFreshInterval() {
        Rollout r = rollout(2);
        r.pause(T0.plusSeconds(3), alone(r));
        assertThatThrownBy(() -> r.judged(IntervalOutcome.PASSED, "passed", T0.plusSeconds(10)))
                .isInstanceOf(IllegalTransitionException.class);
        r.resume(T0.plusSeconds(100), alone(r));
        assertThat(r.intervalStartedAt()).isEqualTo(T0.plusSeconds(100));
        assertThat(r.intervalEndsAt()).isEqualTo(T0.plusSeconds(110));
    }
}
