package io.qreg.engine.quant.qdq;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.eval.EvaluationData;
import io.qreg.engine.eval.EvaluationOptions;
import io.qreg.engine.eval.EvaluationResult;
import io.qreg.engine.eval.EvaluationTask;
import io.qreg.engine.eval.Evaluator;
import io.qreg.engine.eval.Fixtures;
import io.qreg.engine.eval.MetricKeys;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.quant.QuantizationOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SmoothQuant {@code auto} on {@code bytelm_small}, a model without activation outliers (per-channel mean |x| at most
 * 3.5× the median): it must do no harm. Static with and without it are quantized and evaluated against FP32 on the
 * held-out split in the same run, with the engine's own evaluator.
 */
class SmoothQuantByteLmTest {

    /**
     * How far perplexity moves between quantizations whose next-token distributions are equally close to FP32's:
     * measured here, int8-static with per-channel and with per-tensor weights reach the same KL divergence (0.00633
     * and 0.00631) and perplexities 6.1632 and 6.1583.
     */
    private static final double PERPLEXITY_ROUNDING_NOISE = 0.01;

    /** Issue 13's figure for int8-static with SmoothQuant on bytelm_small: no worse than static was (6.154). */
    private static final double ISSUE_TARGET_PERPLEXITY = 6.154;

    @TempDir
    Path dir;

    @Test
    void autoSmoothsOnlyTheLayerNormGroupsAndBringsTheNextTokenDistributionsCloserToFp32ThanStaticAlone()
            throws Exception {
        Path model = QdqFixtures.copy("bytelm_small.onnx", dir);
        QuantizationOptions plain = QuantizationOptions.defaults(Method.INT8_STATIC)
                .withCalibrationInputs(Map.of("input_ids", QdqFixtures.copy("bytelm_small_calib_ids.npy", dir)));
        Path plainOut = dir.resolve("static.onnx");
        Path autoOut = dir.resolve("smooth-auto.onnx");

        QdqFixtures.quantize(model, plain, plainOut);
        QuantizationContext smoothed = QdqFixtures.quantize(model,
                plain.withSmoothQuantAlpha(QuantizationOptions.SMOOTH_QUANT_AUTO), autoOut);

        EvaluationResult without = evaluate(plainOut, model);
        EvaluationResult with = evaluate(autoOut, model);
        System.out.printf("bytelm_small int8-static: without SmoothQuant perplexity %.4f, KL %.6f; with auto"
                + " perplexity %.4f, KL %.6f%n", without.metric(MetricKeys.PERPLEXITY),
                without.metric(MetricKeys.MEAN_KLD), with.metric(MetricKeys.PERPLEXITY),
                with.metric(MetricKeys.MEAN_KLD));
        smoothed.notes().stream().filter(n -> n.startsWith("SmoothQuant")).forEach(System.out::println);

        // The five LayerNorm outputs take 1/s in their LayerNorm; the four activations only an inserted Mul could
        // divide are rounded before it (attention output, GELU's last Mul), where smoothing only adds rounding.
        assertThat(smoothed.notes()).anyMatch(n -> n.startsWith("SmoothQuant alpha auto smoothed 5 MatMul/Gemm"
                + " layers reading 5 activations: 5 divided in their LayerNormalization, 0 in the MatMul/Gemm"
                + " producing them, 0 through an inserted Mul; 4 of 9 activations left unsmoothed"));
        assertThat(with.metric(MetricKeys.MEAN_KLD)).isLessThan(without.metric(MetricKeys.MEAN_KLD));
        assertThat(with.metric(MetricKeys.PERPLEXITY))
                .isLessThanOrEqualTo(without.metric(MetricKeys.PERPLEXITY) + PERPLEXITY_ROUNDING_NOISE);
    }

    /**
     * The issue's target row, like for like: its "today 6.154" is int8-static as it was before Add, Mul, Split and
     * LayerNormalization were quantized too, so both sides leave those op types in float here.
     */
    @Test
    void withTheOpSetOfTheIssuesBaselineAutoReachesItsPerplexityTargetAndBeatsStaticAlone() throws Exception {
        Path model = QdqFixtures.copy("bytelm_small.onnx", dir);
        QuantizationOptions plain = QuantizationOptions.defaults(Method.INT8_STATIC)
                .withCalibrationInputs(Map.of("input_ids", QdqFixtures.copy("bytelm_small_calib_ids.npy", dir)))
                .withExcludeOpTypes(Set.of("Add", "Mul", "Split", "LayerNormalization"));
        Path plainOut = dir.resolve("static-matmul.onnx");
        Path autoOut = dir.resolve("smooth-auto-matmul.onnx");

        QdqFixtures.quantize(model, plain, plainOut);
        QdqFixtures.quantize(model, plain.withSmoothQuantAlpha(QuantizationOptions.SMOOTH_QUANT_AUTO), autoOut);

        EvaluationResult without = evaluate(plainOut, model);
        EvaluationResult with = evaluate(autoOut, model);
        System.out.printf("bytelm_small int8-static without Add, Mul, Split, LayerNormalization: without SmoothQuant"
                + " perplexity %.4f, KL %.6f; with auto perplexity %.4f, KL %.6f%n",
                without.metric(MetricKeys.PERPLEXITY), without.metric(MetricKeys.MEAN_KLD),
                with.metric(MetricKeys.PERPLEXITY), with.metric(MetricKeys.MEAN_KLD));

        assertThat(with.metric(MetricKeys.PERPLEXITY)).isLessThanOrEqualTo(ISSUE_TARGET_PERPLEXITY)
                .isLessThanOrEqualTo(without.metric(MetricKeys.PERPLEXITY));
        assertThat(with.metric(MetricKeys.MEAN_KLD)).isLessThan(without.metric(MetricKeys.MEAN_KLD));
    }

    private static EvaluationResult evaluate(Path quantized, Path reference) throws Exception {
        EvaluationData data = Fixtures.bytelmEvalSplit();
        return Evaluator.evaluate(EvaluationTask.LANGUAGE_MODEL, quantized, reference, data,
                new EvaluationOptions(50, 1), ProgressListener.NONE);
    }
}
