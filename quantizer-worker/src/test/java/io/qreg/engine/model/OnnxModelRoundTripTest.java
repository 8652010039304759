package io.qreg.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.eval.Fixtures;
import io.qreg.engine.tensor.Tensors;
import io.qreg.npy.NpyArray;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.StringStringEntryProto;
import io.qreg.onnx.ir.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OnnxModelRoundTripTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
        "digits_mlp.onnx, input, digits_eval_x.npy, 64",
        "digits_cnn.onnx, input, digits_eval_x_img.npy, 64",
        "bytelm_small.onnx, input_ids, bytelm_small_eval_ids.npy, 4",
    })
    void savingAnUnchangedModelGivesBitIdenticalOutputsInOnnxRuntime(String model, String input, String data,
            int samples) throws Exception {
        Path original = Fixtures.copy(model, dir);
        NpyArray x = Fixtures.npy(data);
        Path saved = dir.resolve("saved.onnx");

        OnnxModel.load(original).save(saved);

        assertThat(Files.exists(dir.resolve("saved.onnx.data"))).isFalse();
        float[] expected = OrtRunner.run(original, input, x, samples);
        float[] actual = OrtRunner.run(saved, input, x, samples);
        assertThat(actual).hasSameSizeAs(expected);
        assertThat(bits(actual)).isEqualTo(bits(expected));
    }

    @Test
    void largeInitializersGoToAnAlignedExternalDataFileThatOnnxRuntimeReads() throws Exception {
        Path original = Fixtures.copy("digits_mlp.onnx", dir);
        NpyArray x = Fixtures.npy("digits_eval_x.npy");
        Path saved = dir.resolve("external.onnx");

        OnnxModel.load(original).save(saved, SaveOptions.defaults().withExternalDataThreshold(0));

        Path data = dir.resolve("external.onnx.data");
        assertThat(data).exists();
        assertThat(Files.size(saved)).isLessThan(Files.size(original) / 10);
        ModelProto raw = ModelProto.parseFrom(Files.readAllBytes(saved));
        long external = 0;
        for (TensorProto t : raw.getGraph().getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                external++;
                Map<String, String> keys = t.getExternalDataList().stream()
                        .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
                assertThat(keys).containsEntry("location", "external.onnx.data");
                assertThat(Long.parseLong(keys.get("offset")) % 4096).isZero();
                assertThat(t.hasRawData()).isFalse();
            }
        }
        assertThat(external).isGreaterThanOrEqualTo(3); // at least the three Gemm weight matrices
        float[] expected = OrtRunner.run(original, "input", x, 64);
        assertThat(bits(OrtRunner.run(saved, "input", x, 64))).isEqualTo(bits(expected));
    }

    @Test
    void aModelWithExternalDataLoadsWithItsWeightsAndSavesInlineAgain() throws Exception {
        Path original = Fixtures.copy("digits_mlp.onnx", dir);
        Path external = dir.resolve("external.onnx");
        OnnxModel.load(original).save(external, SaveOptions.defaults().withExternalDataThreshold(0));
        Path inline = Files.createDirectory(dir.resolve("elsewhere")).resolve("inline.onnx");

        OnnxModel reloaded = OnnxModel.load(external);
        reloaded.save(inline);

        OnnxModel first = OnnxModel.load(original);
        for (TensorProto t : first.graph().initializers()) {
            TensorProto back = reloaded.graph().initializer(t.getName()).orElseThrow();
            assertThat(back.getDataLocation()).isEqualTo(TensorProto.DataLocation.DEFAULT);
            assertThat(Tensors.toFloats(back)).isEqualTo(Tensors.toFloats(t));
        }
        NpyArray x = Fixtures.npy("digits_eval_x.npy");
        assertThat(bits(OrtRunner.run(inline, "input", x, 64))).isEqualTo(bits(OrtRunner.run(original, "input", x, 64)));
    }

    @Test
    void savingOverTheLoadedFileKeepsTheLoadedModelUsable() throws Exception {
        Path file = Fixtures.copy("digits_mlp.onnx", dir);
        OnnxModel model = OnnxModel.load(file);
        model.save(file, SaveOptions.defaults().withExternalDataThreshold(0));
        model.save(file); // the mapped weights of the first load still read the replaced files' bytes

        NpyArray x = Fixtures.npy("digits_eval_x.npy");
        Path pristine = Fixtures.copy("digits_mlp.onnx", Files.createDirectory(dir.resolve("pristine")));
        assertThat(bits(OrtRunner.run(file, "input", x, 16))).isEqualTo(bits(OrtRunner.run(pristine, "input", x, 16)));
    }

    @Test
    void anEditedGraphWithANodeInsertedBeforeTheFirstGemmRunsInOnnxRuntime() throws Exception {
        Path original = Fixtures.copy("digits_mlp.onnx", dir);
        OnnxModel model = OnnxModel.load(original);
        ModelGraph g = model.graph();
        String one = g.uniqueName("one");
        String scaled = g.uniqueName("input_scaled");
        g.addInitializer(Tensors.floats(one, new long[] {}, new float[] {1f}));
        assertThat(g.replaceInput("input", scaled)).isEqualTo(1);
        g.addNode(Nodes.node("Mul", List.of("input", one), List.of(scaled), g.uniqueName("scale_input")));
        Path saved = dir.resolve("edited.onnx");

        model.save(saved);

        NpyArray x = Fixtures.npy("digits_eval_x.npy");
        assertThat(OnnxModel.load(saved).graph().nodes().get(0).getOpType()).isEqualTo("Mul");
        assertThat(bits(OrtRunner.run(saved, "input", x, 64))).isEqualTo(bits(OrtRunner.run(original, "input", x, 64)));
    }

    static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}
