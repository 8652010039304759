package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.QuantizationException;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "Verified" means the written model ran in ONNX Runtime beside the original and stayed finite. */
class ModelVerificationTest {

    @TempDir
    Path dir;

    @Test
    void staticInt8OnDigitsReportsSqnrAndTop1AgreementMeasuredOnCalibrationSamples() throws Exception {
        Path in = ModelEval.copy("digits_mlp.onnx", dir);
        QuantizationOptions d = QuantizationOptions.defaults(Method.INT8_STATIC);
        QuantizationOptions options = new QuantizationOptions(Method.INT8_STATIC, false, true, d.blockSize(),
                d.calibrationMethod(), d.percentile(), Set.of(), Set.of(),
                Map.of("input", ModelEval.copy("digits_calib_x.npy", dir)), null, null, true);

        QuantizationReport report = Quantizer.quantize(in, dir.resolve("q.onnx"), options, null);

        VerificationCheck check = report.verification();
        assertThat(check.inputSource()).isEqualTo("calibration");
        assertThat(check.samples()).isEqualTo(ModelVerifier.SAMPLES);
        assertThat(check.sqnrDb()).isGreaterThan(20.0).isLessThan(VerificationCheck.IDENTICAL_SQNR_DB);
        assertThat(check.top1Agreement()).isGreaterThan(0.95).isLessThanOrEqualTo(1.0);
        assertThat(check.onnxRuntimeVersion()).startsWith("1.23");
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) report.toMap().get("verification");
        assertThat(json).containsEntry("samples", 16).containsEntry("inputs", "calibration")
                .containsEntry("sqnrDb", check.sqnrDb()).containsEntry("top1Agreement", check.top1Agreement());
        assertThat(check.summary()).startsWith("verified in ONNX Runtime 1.23").contains("on 16 calibration samples",
                "SQNR ", " dB, top-1 agreement ");
    }

    @Test
    void withoutCalibrationTheCheckRunsOnInputsMadeFromTheSignatureWithTokenIdsInsideTheVocabulary()
            throws Exception {
        // bytelm_small: int64 ids [batch, seq] feeding a Gather over a 256-row table; an id of 256 would fail to run.
        Path in = ModelEval.copy("bytelm_small.onnx", dir);

        QuantizationReport report = Quantizer.quantize(in, dir.resolve("q.onnx"),
                QuantizedModels.options(Method.INT8_DYNAMIC, false, true, 32), null);

        VerificationCheck check = report.verification();
        assertThat(check.inputSource()).isEqualTo("generated");
        assertThat(check.samples()).isEqualTo(ModelVerifier.SAMPLES);
        assertThat(check.sqnrDb()).isGreaterThan(10.0);
        assertThat(check.top1Agreement()).isGreaterThan(0.5);
        assertThat(GeneratedInputs.indexBounds(OnnxModel.load(in).graph())).containsValue(256L);
    }

    @Test
    void aLargeModelIsCheckedOnFewerSamplesSoTheCheckCostsAboutWhatA64MiBModelDoes() throws Exception {
        // The sample count follows the original's size on disk; bytelm_small's own check stands in for a 342 MB one.
        Path in = ModelEval.copy("bytelm_small.onnx", dir);
        Path out = dir.resolve("q.onnx");
        OnnxModel quantized = OnnxModel.load(in);
        Passes.forMethod(Method.INT8_DYNAMIC).apply(new QuantizationContext(quantized,
                QuantizedModels.options(Method.INT8_DYNAMIC, false, true, 32), null));
        quantized.save(out);
        Map<String, Long> bounds = GeneratedInputs.indexBounds(OnnxModel.load(in).graph());

        VerificationCheck large = ModelVerifier.verify(in, out, quantized.graph(), bounds, Map.of(), 342_400_000L);
        VerificationCheck small = ModelVerifier.verify(in, out, quantized.graph(), bounds, Map.of(), Files.size(in));

        assertThat(large.samples()).isEqualTo(3);
        assertThat(small.samples()).isEqualTo(ModelVerifier.SAMPLES);
        assertThat(large.sqnrDb()).isGreaterThan(10.0);
        assertThat(ModelVerifier.samplesFor(4L << 30)).isEqualTo(ModelVerifier.MIN_SAMPLES);
    }

    @Test
    void aQuantizationThatTurnsAFiniteOutputInfiniteIsRefusedAndLeavesNoFile() throws Exception {
        // A real model, quantized by the real pass, that divides by zero once quantized (DivideModel).
        Path model = DivideModel.write(dir.resolve("divide.onnx"));
        Path out = dir.resolve("q.onnx");

        assertThatThrownBy(() -> Quantizer.quantize(model, out,
                QuantizedModels.options(Method.INT8_DYNAMIC, false, true, 32), null))
                .isInstanceOf(QuantizationException.class)
                .hasMessageContaining("not kept")
                .hasMessageContaining("NaN or infinite values in output 'y' where the original is finite");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("divide.onnx");
        }
    }
}
