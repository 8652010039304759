package io.qreg.engine.quant.qdq;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.calibration.CalibrationMethod;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.npy.NpyArray;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transformer whose -1e9 causal mask makes ONNX Runtime's static quantization collapse (6.12 -> 26.5). */
class StaticQdqPassByteLmTest {

    @TempDir
    Path dir;

    @Test
    void guardKeepsTheMaskedScoresFloatAndPerplexityStaysNearFp32WhileWithoutItTheModelCollapses()
            throws Exception {
        Path model = QdqFixtures.copy("bytelm_small.onnx", dir);
        Path calibration = QdqFixtures.copy("bytelm_small_calib_ids.npy", dir);
        NpyArray ids = QdqFixtures.npy("bytelm_small_eval_ids.npy");
        NpyArray labels = QdqFixtures.npy("bytelm_small_eval_labels.npy");
        QuantizationOptions defaults = QuantizationOptions.defaults(Method.INT8_STATIC);
        QuantizationOptions guarded = new QuantizationOptions(defaults.method(), defaults.perChannel(),
                defaults.symmetric(), defaults.blockSize(), defaults.calibrationMethod(), defaults.percentile(),
                defaults.excludeNodes(), defaults.excludeOpTypes(), Map.of("input_ids", calibration), null, null,
                defaults.guardMaskedActivations());
        Path withGuard = dir.resolve("guard.onnx");
        Path withoutGuard = dir.resolve("noguard.onnx");

        QuantizationContext context = QdqFixtures.quantize(model, guarded, withGuard);
        QdqFixtures.quantize(model, QdqFixtures.options(CalibrationMethod.MINMAX, false, false,
                Map.of("input_ids", calibration)), withoutGuard);

        double fp32 = QdqFixtures.perplexity(model, ids, labels);
        double guardedPpl = QdqFixtures.perplexity(withGuard, ids, labels);
        double unguardedPpl = QdqFixtures.perplexity(withoutGuard, ids, labels);
        System.out.printf("bytelm_small perplexity: fp32 %.4f, int8-static with guard %.4f, without %.4f%n", fp32,
                guardedPpl, unguardedPpl);
        assertThat(fp32).isBetween(6.11, 6.13);
        assertThat(guardedPpl).isLessThanOrEqualTo(6.30);
        assertThat(unguardedPpl).isGreaterThan(2 * guardedPpl);

        assertThat(context.notes()).hasSize(2).allMatch(n -> n.contains("additive mask"))
                .anyMatch(n -> n.contains("'/blocks.0/Add_output_0'"))
                .anyMatch(n -> n.contains("'/blocks.1/Add_output_0'"));
        assertThat(context.layers()).filteredOn(l -> l.opType().equals("Softmax")).hasSize(2)
                .allMatch(l -> l.status() == LayerReport.Status.KEPT_FLOAT && l.detail().startsWith("guard:"));
        assertThat(context.layers()).filteredOn(l -> l.opType().equals("MatMul")).hasSize(13)
                .allMatch(l -> l.status() == LayerReport.Status.QUANTIZED);
        // Beyond MatMul: residual and bias Adds, the GELU's Muls, LayerNormalizations and the qkv Splits are
        // quantized; the mask Adds stay float; shape arithmetic (Concats of dimensions, the Mul by a factor
        // computed from Shape) is not considered at all.
        assertThat(context.layers()).filteredOn(l -> l.opType().equals("Add")).hasSize(18)
                .filteredOn(l -> l.status() == LayerReport.Status.QUANTIZED).hasSize(16);
        assertThat(context.layers()).filteredOn(l -> l.opType().equals("Mul")).hasSize(6)
                .allMatch(l -> l.status() == LayerReport.Status.QUANTIZED);
        assertThat(context.layers()).filteredOn(l -> Set.of("LayerNormalization", "Split").contains(l.opType()))
                .hasSize(7).allMatch(l -> l.status() == LayerReport.Status.QUANTIZED);
        assertThat(context.layers()).noneMatch(l -> l.opType().equals("Concat") || l.node().equals("/blocks.0/Mul"));
        assertThat(QdqFixtures.count(withGuard, "QuantizeLinear")).isPositive();
        assertThat(context.layers()).filteredOn(l -> l.opType().equals("Gather")).isNotEmpty()
                .allMatch(l -> l.status() == LayerReport.Status.QUANTIZED);
        assertThat(java.nio.file.Files.size(withGuard))
                .as("int8 variants are at most 35% of FP32 on disk, embeddings included")
                .isLessThanOrEqualTo(java.nio.file.Files.size(model) * 35 / 100);
    }
}
