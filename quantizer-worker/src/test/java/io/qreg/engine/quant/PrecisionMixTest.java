package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qreg.engine.calibration.CalibrationMethod;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The precision mix every method reports, read off the written fixture models. */
class PrecisionMixTest {

    /** digits_mlp's three Gemm weights: 64x256, 256x256 and 256x10. */
    private static final long MLP_PARAMETERS = 64 * 256 + 256 * 256 + 256 * 10;

    @TempDir
    Path dir;

    private QuantizationReport quantize(String fixture, QuantizationOptions options) throws Exception {
        Path in = Files.exists(dir.resolve(fixture)) ? dir.resolve(fixture) : ModelEval.copy(fixture, dir);
        return Quantizer.quantize(in, dir.resolve("out-" + options.method().wireName() + ".onnx"), options, null);
    }

    private QuantizationOptions staticOptions(String calibration) throws Exception {
        QuantizationOptions d = QuantizationOptions.defaults(Method.INT8_STATIC);
        return new QuantizationOptions(Method.INT8_STATIC, false, d.symmetric(), d.blockSize(), CalibrationMethod.MINMAX,
                d.percentile(), Set.of(), Set.of(), Map.of("input", ModelEval.copy(calibration, dir)), null, null, true);
    }

    @Test
    void int8DynamicStoresEveryMlpLayerAtEightBitsPlusOneScaleEach() throws Exception {
        PrecisionMix mix = quantize("digits_mlp.onnx", QuantizationOptions.defaults(Method.INT8_DYNAMIC)).precisionMix();

        assertWholeMlpAt(mix, WeightPrecision.INT8);
        assertThat(mix.quantizedLayers()).isEqualTo(3);
        // Codes at 8 bits, plus one float32 scale per (per-tensor, symmetric) layer.
        assertThat(mix.bitsPerWeight()).isCloseTo(8 + 3 * 32.0 / MLP_PARAMETERS, within(1e-9));
        assertThat(mix.label(Method.INT8_DYNAMIC)).isEqualTo("int8-dynamic · 3 of 3 layers · 8.0 bits/weight");
    }

    @Test
    void int8StaticCountsTheInt8WeightsBehindTheirDequantizeLinear() throws Exception {
        PrecisionMix mix = quantize("digits_mlp.onnx", staticOptions("digits_calib_x.npy")).precisionMix();

        assertWholeMlpAt(mix, WeightPrecision.INT8);
        // Scale (32 bits) and int8 zero point (8 bits) per layer.
        assertThat(mix.bitsPerWeight()).isCloseTo(8 + 3 * 40.0 / MLP_PARAMETERS, within(1e-9));
    }

    @Test
    void int4WeightWithBlock32PaysAFloatScaleAndAPackedZeroPointPerBlock() throws Exception {
        PrecisionMix mix = quantize("digits_mlp.onnx", QuantizationOptions.defaults(Method.INT4_WEIGHT)).precisionMix();

        assertWholeMlpAt(mix, WeightPrecision.INT4);
        // 4 bits of code, 32/32 of float32 scale and 4/32 of zero point per weight.
        assertThat(mix.bitsPerWeight()).isEqualTo(5.125);
    }

    @Test
    void int4WeightWithLargerBlocksComesCloseToFourBits() throws Exception {
        QuantizationOptions options = QuantizedModels.options(Method.INT4_WEIGHT, false, true, 128);
        QuantizationReport report = quantize("bytelm_small.onnx", options);

        // Nine MatMuls in int4; the token embedding (a Gather) is stored int8, MatMulNBits having no gather form.
        assertThat(report.precisionMix().layers()).containsEntry(WeightPrecision.INT4, 9L)
                .containsEntry(WeightPrecision.INT8, 1L).containsEntry(WeightPrecision.FP32, 0L);
        assertThat(report.precisionMix().parameters()).containsEntry(WeightPrecision.INT4, 425_984L)
                .containsEntry(WeightPrecision.INT8, 32_768L);
        long int4Bits = WrittenLayers.of(OnnxModel.load(dir.resolve("out-int4-weight.onnx")).graph()).stream()
                .filter(l -> l.precision() == WeightPrecision.INT4).mapToLong(WrittenLayer::storedBits).sum();
        // Symmetric, so no zero points: 4 bits of code plus a float32 scale per 128 weights.
        assertThat((double) int4Bits / 425_984).isEqualTo(4.25);
    }

    @Test
    void int8WeightAndFp16() throws Exception {
        PrecisionMix int8 = quantize("digits_mlp.onnx", QuantizationOptions.defaults(Method.INT8_WEIGHT)).precisionMix();
        PrecisionMix fp16 = quantize("digits_mlp.onnx", QuantizationOptions.defaults(Method.FP16)).precisionMix();

        assertThat(int8.layers()).containsEntry(WeightPrecision.INT8, 3L);
        assertThat(int8.bitsPerWeight()).isEqualTo(9.0); // a float32 scale per block of 32, symmetric
        assertWholeMlpAt(fp16, WeightPrecision.FP16);
        assertThat(fp16.bitsPerWeight()).isEqualTo(16.0);
        assertThat(fp16.label(Method.FP16)).isEqualTo("fp16 · 3 of 3 layers · 16.0 bits/weight");
    }

    @Test
    void convIntegerLayersCountAsInt8WithTheirZeroPointAndScale() throws Exception {
        PrecisionMix mix = quantize("digits_cnn.onnx", QuantizationOptions.defaults(Method.INT8_DYNAMIC)).precisionMix();

        assertThat(mix.layers()).containsEntry(WeightPrecision.INT8, 4L).containsEntry(WeightPrecision.FP32, 0L);
        assertThat(mix.parameters()).containsEntry(WeightPrecision.INT8, 144L + 4608L + 65_536L + 1_280L);
        // Per Gemm a float32 scale; per Conv a uint8 zero point and a float32 scale.
        assertThat(mix.bitsPerWeight()).isCloseTo(8 + (2 * 32.0 + 2 * 40.0) / 71_568, within(1e-9));
        assertThat(mix.label(Method.INT8_DYNAMIC)).isEqualTo("int8-dynamic · 4 of 4 layers · 8.0 bits/weight");
    }

    @Test
    void bytelmEmbeddingIsALayerOfItsOwn() throws Exception {
        PrecisionMix mix = quantize("bytelm_small.onnx", QuantizationOptions.defaults(Method.INT8_DYNAMIC)).precisionMix();

        assertThat(mix.layers()).containsEntry(WeightPrecision.INT8, 10L).containsEntry(WeightPrecision.FP32, 0L);
        assertThat(mix.totalParameters()).isEqualTo(458_752L);
    }

    @Test
    void theReportMapCarriesTheMixInTheDocumentedShape() throws Exception {
        Map<String, Object> map = quantize("digits_cnn.onnx", QuantizationOptions.defaults(Method.INT4_WEIGHT)).toMap();

        assertThat(map.get("precisionMix")).isEqualTo(Map.of(
                "layers", Map.of("int4", 2L, "int8", 0L, "fp16", 0L, "fp32", 2L, "total", 4L),
                "parameters", Map.of("int4", 66_816L, "int8", 0L, "fp16", 0L, "fp32", 4_752L, "total", 71_568L),
                "quantizedLayers", 2L,
                "bitsPerWeight", 6.909));
    }

    /** Every weight of the three MLP layers stored at {@code precision}, none left in float32. */
    private static void assertWholeMlpAt(PrecisionMix mix, WeightPrecision precision) {
        assertThat(mix.layers()).containsEntry(precision, 3L).containsEntry(WeightPrecision.FP32, 0L);
        assertThat(mix.parameters()).containsEntry(precision, MLP_PARAMETERS);
    }
}
