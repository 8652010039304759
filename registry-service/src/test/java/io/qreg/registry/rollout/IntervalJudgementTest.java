package io.qreg.registry.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.qreg.registry.deployment.CanaryMetric;

import org.junit.jupiter.api.Test;

/** The judgement of one interval from its data, and the reading of a Prometheus answer. */
class IntervalJudgementTest {

    private static final Thresholds T = new Thresholds(0.05, 200.0, 0.9, 10);
    private static final CanaryMetric ERRORS = new CanaryMetric("errors", "x{c=\"{{canary}}\"}", 0.01, null);

    @Test
    void healthWithinEveryThresholdPasses() {
        IntervalJudgement j = IntervalJudgement.judge(T, new IntervalJudgement.Health(2, 100, 0.01, 150.0, 0.95),
                List.of());
        assertThat(j.outcome()).isEqualTo(IntervalOutcome.PASSED);
        assertThat(j.reasons()).isEmpty();
        assertThat(j.summary()).isEqualTo("passed");
    }

    @Test
    void noReportAndNoMetricIsNoDataNotAFailure() {
        IntervalJudgement j = IntervalJudgement.judge(T, IntervalJudgement.Health.NONE, List.of());
        assertThat(j.outcome()).isEqualTo(IntervalOutcome.NO_DATA);
        assertThat(j.reasons()).containsExactly("no data: no health report");
    }

    @Test
    void fewerRequestsThanMinRequestsAreNotJudgedEvenWhenTheirFiguresAreBad() {
        IntervalJudgement j = IntervalJudgement.judge(T, new IntervalJudgement.Health(1, 9, 0.9, 900.0, 0.1),
                List.of());
        assertThat(j.outcome()).isEqualTo(IntervalOutcome.NO_DATA);
        assertThat(j.reasons().get(0)).contains("9 requests, fewer than minRequests 10");
        assertThat(j.breaches()).isEmpty();
    }

    @Test
    void anyCrossedThresholdFailsAndNamesEachOne() {
        IntervalJudgement j = IntervalJudgement.judge(T, new IntervalJudgement.Health(3, 50, 0.2, 250.0, 0.8),
                List.of());
        assertThat(j.outcome()).isEqualTo(IntervalOutcome.FAILED);
        assertThat(j.breaches()).extracting(Thresholds.Breach::metric)
                .containsExactly("errorRate", "p99LatencyMs", "qualityProxy");
        assertThat(j.summary()).startsWith("failed: errorRate 0.2 > maxErrorRate 0.05");
    }

    @Test
    void metricsAloneAreDataEnoughAndAreJudgedAgainstTheirBound() {
        IntervalJudgement ok = IntervalJudgement.judge(T, IntervalJudgement.Health.NONE,
                List.of(new IntervalJudgement.Reading("errors", 0.001, 0.01, null, null)));
        assertThat(ok.outcome()).isEqualTo(IntervalOutcome.PASSED);
        IntervalJudgement bad = IntervalJudgement.judge(T, IntervalJudgement.Health.NONE,
                List.of(new IntervalJudgement.Reading("quality", 0.5, null, 0.9, null)));
        assertThat(bad.outcome()).isEqualTo(IntervalOutcome.FAILED);
        assertThat(bad.reasons()).containsExactly("quality 0.5 < min 0.9");
        IntervalJudgement missing = IntervalJudgement.judge(T, new IntervalJudgement.Health(1, 100, 0.0, 10.0, 1.0),
                List.of(new IntervalJudgement.Reading("errors", null, 0.01, null, "no result")));
        assertThat(missing.outcome()).isEqualTo(IntervalOutcome.NO_DATA);
        assertThat(missing.reasons()).containsExactly("no data: metric errors: no result");
    }

    @Test
    void aPrometheusAnswerGivesAValueOnlyWhenItIsOneFiniteSample() {
        assertThat(PrometheusClient.reading(ERRORS, 200, """
                {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1.5,"0.004"]}]}}""")
                .value()).isEqualTo(0.004);
        assertThat(PrometheusClient.reading(ERRORS, 200, """
                {"status":"success","data":{"resultType":"scalar","result":[1.5,"2"]}}""").value()).isEqualTo(2.0);
        assertThat(PrometheusClient.reading(ERRORS, 200, """
                {"status":"success","data":{"resultType":"vector","result":[]}}""").problem()).isEqualTo("no result");
        assertThat(PrometheusClient.reading(ERRORS, 200, """
                {"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1"]},{"value":[1,"2"]}]}}""")
                .problem()).startsWith("2 series");
        assertThat(PrometheusClient.reading(ERRORS, 200, """
                {"status":"success","data":{"resultType":"vector","result":[{"value":[1,"NaN"]}]}}""").value())
                .isNull();
        assertThat(PrometheusClient.reading(ERRORS, 400, """
                {"status":"error","errorType":"bad_data","error":"parse error"}""").problem())
                .contains("400", "parse error");
        assertThat(PrometheusClient.reading(ERRORS, 502, "<html>bad gateway</html>").value()).isNull();
    }
}
