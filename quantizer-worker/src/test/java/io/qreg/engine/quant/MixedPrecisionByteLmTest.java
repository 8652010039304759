package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.QuantizationException;
import io.qreg.engine.eval.CalibratedModel;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.engine.quant.weightonly.Algorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * int4-weight block 32 on bytelm_small with a bits-per-weight target, measured in ONNX Runtime: the issue's
 * "mixed, at most 5.5 bits/weight counting scales and zero points, perplexity at most 6.15" (FP32 6.123, int4 RTN
 * 6.233, int4 GPTQ 6.158).
 */
class MixedPrecisionByteLmTest {

    /** Issue 13's mixed-precision target. */
    private static final double TARGET_PERPLEXITY = 6.15;
    private static final double TARGET_BITS = 5.5;

    @TempDir
    Path dir;
    CalibratedModel.Copy bytelm;

    @BeforeEach
    void copyFixtures() throws Exception {
        bytelm = CalibratedModel.BYTELM_SMALL.copyTo(dir);
    }

    private QuantizationOptions options(Double target) {
        return options(target, true);
    }

    private QuantizationOptions options(Double target, boolean symmetric) {
        QuantizationOptions d = QuantizationOptions.defaults(Method.INT4_WEIGHT);
        return new QuantizationOptions(Method.INT4_WEIGHT, false, symmetric, 32, d.calibrationMethod(), d.percentile(),
                Set.of(), Set.of(), bytelm.calibration(), null, null, true).withTargetBitsPerWeight(target);
    }

    @Test
    void gptqMixedToFiveAndAHalfBitsPerWeightReachesTheIssuesPerplexity() throws Exception {
        Path out = dir.resolve("mixed.onnx");
        // int4-weight's default zero points (what the CLI does without --symmetric). Symmetric measured 6.145 with 8
        // sensitivity samples but 6.152 with the CLI's 64; with zero points both chose the same mix, at 6.144.
        QuantizationOptions gptq = options(TARGET_BITS, false)
                .withAlgorithm(Algorithm.GPTQ, QuantizationOptions.DEFAULT_GPTQ_DAMP, false);
        QuantizationReport report = Quantizer.quantize(bytelm.model(), out, gptq, null,
                io.qreg.engine.sensitivity.SensitivityRequest.measure(8));

        double perplexity = ModelEval.bytelmEvalPerplexity(out);
        // Counted again on the graph as saved, not taken from the report.
        PrecisionMix saved = PrecisionMix.of(WrittenLayers.of(OnnxModel.load(out).graph()));
        System.out.printf("bytelm_small GPTQ mixed <= %s bits/weight: perplexity %.4f at %.4f bits/weight%n",
                TARGET_BITS, perplexity, saved.bitsPerWeight());
        report.layers().forEach(l -> System.out.printf("  %-28s %-10s %s%n", l.node(), l.status(), l.detail()));
        report.notes().forEach(n -> System.out.println("  note: " + n));

        assertThat(perplexity).isLessThanOrEqualTo(TARGET_PERPLEXITY);
        assertThat(saved.bitsPerWeight()).isLessThanOrEqualTo(TARGET_BITS).isGreaterThan(5.0)
                .isEqualTo(report.precisionMix().bitsPerWeight());
        assertThat(saved.layers().get(WeightPrecision.INT4)).isPositive();
        assertThat(saved.layers().get(WeightPrecision.INT8) + saved.layers().get(WeightPrecision.FP32)).isPositive();
        assertThat(report.layers()).filteredOn(l -> l.opType().equals("MatMul")
                && l.status() != LayerReport.Status.UNSUPPORTED).hasSize(9)
                .allMatch(l -> l.detail().startsWith("mixed precision: "))
                .filteredOn(l -> l.status() == LayerReport.Status.QUANTIZED)
                .allMatch(l -> l.detail().contains("with zero points, GPTQ"));
        assertThat(report.notes()).anyMatch(n -> n.startsWith("mixed precision to at most 5.5 bits/weight")
                && n.contains("(algorithm gptq)"));
        assertThat(report.toMap()).extractingByKey("options").asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("targetBitsPerWeight", 5.5)
                .containsEntry("algorithm", "gptq");
    }

    @Test
    void aTargetBelowTheCheapestMixIsRefusedNamingTheFlag() {
        // int4 at block 128 everywhere, with the int8 embedding, is about 4.5 bits/weight here.
        assertThatThrownBy(() -> Quantizer.quantize(bytelm.model(), dir.resolve("q.onnx"), options(4.3), null))
                .isInstanceOf(QuantizationException.class)
                .hasMessageContaining("--target-bits-per-weight")
                .hasMessageContaining("below what the cheapest mix takes on this model (every layer at int4 with its"
                        + " cheapest block, 32 to 128)");
        assertThat(Files.exists(dir.resolve("q.onnx"))).isFalse();
    }

    @Test
    void aTargetWithoutCalibrationOrOnAnotherMethodIsRefused() {
        QuantizationOptions noCalibration = new QuantizationOptions(Method.INT4_WEIGHT, false, true, 32, null,
                99.999, Set.of(), Set.of(), Map.of(), null, null, true).withTargetBitsPerWeight(5.5);
        assertThatThrownBy(() -> Quantizer.quantize(bytelm.model(), dir.resolve("q.onnx"), noCalibration, null))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("--target-bits-per-weight")
                .hasMessageContaining("--calibration");
        QuantizationOptions int8 = options(5.5).withMethod(Method.INT8_WEIGHT);
        assertThatThrownBy(() -> Quantizer.quantize(bytelm.model(), dir.resolve("q.onnx"), int8, null))
                .isInstanceOf(QuantizationException.class)
                .hasMessageContaining("--target-bits-per-weight applies only to int4-weight");
        assertThat(MethodOptions.refusal(Method.INT8_STATIC, MethodOptions.Option.TARGET_BITS_PER_WEIGHT,
                MethodOptions.Surface.RECIPE)).hasValueSatisfying(m -> assertThat(m).startsWith(
                        "targetBitsPerWeight does not apply to int8-static"));
        assertThat(List.of(Method.INT4_WEIGHT)).allMatch(m -> MethodOptions.applies(m,
                MethodOptions.Option.TARGET_BITS_PER_WEIGHT));
    }
}
