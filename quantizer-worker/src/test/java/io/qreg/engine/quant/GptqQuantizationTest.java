package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.eval.CalibratedModel;
import io.qreg.engine.eval.EvaluationData;
import io.qreg.engine.eval.EvaluationOptions;
import io.qreg.engine.eval.EvaluationTask;
import io.qreg.engine.eval.Evaluator;
import io.qreg.engine.eval.MetricKeys;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.engine.quant.weightonly.Algorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GPTQ end to end in real ONNX Runtime: layer inputs captured on the calibration fixtures, quality measured. */
class GptqQuantizationTest {

    /** Issue 13's GPTQ target on bytelm_small (RTN gives 6.233, FP32 6.123). */
    private static final double GPTQ_TARGET_PERPLEXITY = 6.175;

    @TempDir
    Path dir;

    @Test
    void bytelmInt4Block32SymmetricGptqReachesTheIssuesPerplexityTarget() throws Exception {
        CalibratedModel.Copy bytelm = CalibratedModel.BYTELM_SMALL.copyTo(dir);
        QuantizationOptions options = QuantizedModels.options(Method.INT4_WEIGHT, false, true, 32)
                .withCalibrationInputs(bytelm.calibration())
                .withAlgorithm(Algorithm.GPTQ, QuantizationOptions.DEFAULT_GPTQ_DAMP, false);
        Path gptqOut = dir.resolve("gptq.onnx");
        long started = System.nanoTime();
        QuantizationReport report = Quantizer.quantize(bytelm.model(), gptqOut, options, null);
        long gptqMillis = (System.nanoTime() - started) / 1_000_000;

        // RTN's 6.233 is measured beside it by WeightOnlyQuantizationTest; FP32 is 6.123.
        double gptqPerplexity = perplexity(gptqOut);
        System.out.printf("bytelm_small int4 block 32 symmetric GPTQ: perplexity %.4f (%d ms)%n", gptqPerplexity,
                gptqMillis);
        assertThat(gptqPerplexity).isLessThanOrEqualTo(GPTQ_TARGET_PERPLEXITY);
        assertThat(QuantizedModels.count(gptqOut, "MatMulNBits")).isEqualTo(9);
        assertThat(report.layers()).filteredOn(l -> l.status() == LayerReport.Status.QUANTIZED
                && l.opType().equals("MatMul")).allSatisfy(l -> assertThat(l.detail())
                        .startsWith("int4 block 32 symmetric, GPTQ"));
        assertThat(report.toMap().get("options")).asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("algorithm", "gptq");
    }

    @Test
    void digitsMlpInt4GptqKeepsAccuracyWithinHalfAPointOfFp32() throws Exception {
        CalibratedModel.Copy mlp = CalibratedModel.DIGITS_MLP.copyTo(dir);
        QuantizationOptions options = QuantizationOptions.defaults(Method.INT4_WEIGHT)
                .withCalibrationInputs(mlp.calibration())
                .withAlgorithm(Algorithm.GPTQ, QuantizationOptions.DEFAULT_GPTQ_DAMP, true);
        Path out = dir.resolve("q.onnx");
        Quantizer.quantize(mlp.model(), out, options, null);

        double fp32 = ModelEval.accuracy(mlp.model(), "input", ModelEval.npy("digits_eval_x.npy"),
                ModelEval.npy("digits_eval_y.npy"));
        double accuracy = ModelEval.accuracy(out, "input", ModelEval.npy("digits_eval_x.npy"),
                ModelEval.npy("digits_eval_y.npy"));
        System.out.printf("digits_mlp int4 GPTQ act-order: accuracy %.4f (FP32 %.4f)%n", accuracy, fp32);
        assertThat(accuracy).isGreaterThanOrEqualTo(fp32 - 0.005);
        assertThat(QuantizedModels.count(out, "MatMulNBits")).isEqualTo(3);
    }

    @Test
    void gptqWithoutCalibrationDataIsRefusedAndWritesNothing() throws Exception {
        Path in = ModelEval.copy("digits_mlp.onnx", dir);
        Path out = dir.resolve("q.onnx");
        QuantizationOptions options = QuantizationOptions.defaults(Method.INT4_WEIGHT)
                .withAlgorithm(Algorithm.GPTQ, QuantizationOptions.DEFAULT_GPTQ_DAMP, false);

        assertThatThrownBy(() -> Quantizer.quantize(in, out, options, null))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("calibration");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void everyAlgorithmRunsThroughTheWeightOnlyPassAndKeepsDigitsAccuracyWithinHalfAPoint() throws Exception {
        CalibratedModel.Copy mlp = CalibratedModel.DIGITS_MLP.copyTo(dir);
        double fp32 = ModelEval.accuracy(mlp.model(), "input", ModelEval.npy("digits_eval_x.npy"),
                ModelEval.npy("digits_eval_y.npy"));
        // Issue 13: int4 accuracy within 0.5 points of FP32 on digits_mlp, for rtn, gptq, awq and hqq in one run.
        for (Algorithm algorithm : Algorithm.values()) {
            Path out = dir.resolve(algorithm.wireName() + ".onnx");
            QuantizationOptions options = QuantizationOptions.defaults(Method.INT4_WEIGHT)
                    .withCalibrationInputs(mlp.calibration())
                    .withAlgorithm(algorithm, QuantizationOptions.DEFAULT_GPTQ_DAMP, false);

            QuantizationReport report = Quantizer.quantize(mlp.model(), out, options, null);

            double accuracy = ModelEval.accuracy(out, "input", ModelEval.npy("digits_eval_x.npy"),
                    ModelEval.npy("digits_eval_y.npy"));
            System.out.printf("digits_mlp int4 %s: accuracy %.4f (FP32 %.4f)%n", algorithm.label(), accuracy, fp32);
            assertThat(accuracy).as(algorithm.label()).isGreaterThanOrEqualTo(fp32 - 0.005);
            assertThat(report.layers()).filteredOn(l -> l.status() == LayerReport.Status.QUANTIZED)
                    .allSatisfy(l -> assertThat(l.detail()).contains(algorithm.label()));
        }
    }

    @Test
    void hqqWithZeroPointsIsRefusedOnInt8WeightWhereOnnxRuntimeTakesNoFloatZeroPoints() throws Exception {
        Path in = ModelEval.copy("digits_mlp.onnx", dir);
        Path out = dir.resolve("q.onnx");
        QuantizationOptions d = QuantizationOptions.defaults(Method.INT8_WEIGHT);
        QuantizationOptions options = new QuantizationOptions(d.method(), false, false, d.blockSize(),
                d.calibrationMethod(), d.percentile(), Set.of(), Set.of(), Map.of(), null, null, true)
                .withAlgorithm(Algorithm.HQQ, QuantizationOptions.DEFAULT_GPTQ_DAMP, false);

        assertThatThrownBy(() -> Quantizer.quantize(in, out, options, null))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("hqq with zero points needs int4");
        assertThat(Files.exists(out)).isFalse();
    }

    private static double perplexity(Path model) throws Exception {
        EvaluationData data = EvaluationData.open(
                Map.of("input_ids", Path.of(GptqQuantizationTest.class.getResource("/fixtures/bytelm_small_eval_ids.npy")
                        .toURI())),
                Path.of(GptqQuantizationTest.class.getResource("/fixtures/bytelm_small_eval_labels.npy").toURI()), null);
        return Evaluator.evaluate(EvaluationTask.LANGUAGE_MODEL, model, null, data, new EvaluationOptions(32, 0),
                ProgressListener.NONE).metric(MetricKeys.PERPLEXITY);
    }
}
