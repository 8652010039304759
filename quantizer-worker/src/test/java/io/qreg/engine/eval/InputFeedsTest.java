package io.qreg.engine.eval;

import io.qreg.npy.MappedNpy;
import io.qreg.engine.ProgressListener;
import ai.onnxruntime.OnnxJavaType;
import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import static io.qreg.engine.eval.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputFeedsTest {

    private static ModelSession mlp;
    private static ModelSession lm;

    @BeforeAll
    static void open() {
        mlp = ModelSession.open(path("digits_mlp.onnx"), 1);
        lm = ModelSession.open(path("bytelm_small.onnx"), 1);
    }

    @AfterAll
    static void close() {
        mlp.close();
        lm.close();
    }

    @Test
    void sessionDescribesTheFixtureInputsWithSymbolicBatch() {
        assertThat(mlp.inputs()).hasSize(1);
        TensorSpec input = mlp.inputs().get(0);
        assertThat(input.name()).isEqualTo("input");
        assertThat(input.type()).isEqualTo(OnnxJavaType.FLOAT);
        assertThat(input.isSymbolic(0)).isTrue();
        assertThat(input.shape()[1]).isEqualTo(64);
        assertThat(lm.inputs().get(0).type()).isEqualTo(OnnxJavaType.INT64);
        assertThat(lm.outputs().get(0).name()).isEqualTo("logits");
    }

    @Test
    void wrongFixedDimensionNamesTheInputAndBothShapes() {
        NpyArray image = NpyArray.ofFloats(new float[2 * 8 * 8], 2, 8, 8);

        assertThatThrownBy(() -> InputFeeds.bind(mlp.inputs(), Map.of("input", image), "digits_mlp.onnx"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("input 'input' of digits_mlp.onnx")
                .hasMessageContaining("float32[")
                .hasMessageContaining("64]")
                .hasMessageContaining("[2, 8, 8]")
                .hasMessageContaining("rank 3 instead of 2");
    }

    @Test
    void wrongFeatureCountIsReportedWithTheDimension() {
        NpyArray wide = NpyArray.ofFloats(new float[2 * 65], 2, 65);

        assertThatThrownBy(() -> InputFeeds.bind(mlp.inputs(), Map.of("input", wide), "digits_mlp.onnx"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("dimension 1 is 65, the model fixes it at 64");
    }

    @Test
    void integerArrayForFloatInputIsRefusedWithBothDtypes() {
        NpyArray ints = NpyArray.ofLongs(new long[2 * 64], 2, 64);

        assertThatThrownBy(() -> InputFeeds.bind(mlp.inputs(), Map.of("input", ints), "digits_mlp.onnx"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("int64")
                .hasMessageContaining("float32")
                .hasMessageContaining("astype('float32')");
    }

    @Test
    void floatTokenIdsAreRefusedForAnInt64Input() {
        NpyArray floats = NpyArray.ofFloats(new float[2 * 16], 2, 16);

        assertThatThrownBy(() -> InputFeeds.bind(lm.inputs(), Map.of("input_ids", floats), "bytelm_small.onnx"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("input 'input_ids'")
                .hasMessageContaining("a float32 array cannot feed a int64 input");
    }

    @Test
    void missingAndUnknownInputsAreNamed() {
        NpyArray x = NpyArray.ofFloats(new float[64], 1, 64);

        assertThatThrownBy(() -> InputFeeds.bind(mlp.inputs(), Map.of(), "digits_mlp.onnx"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no array given for input 'input'");
        assertThatThrownBy(() -> InputFeeds.bind(mlp.inputs(), Map.of("input", x, "pixels", x), "digits_mlp.onnx"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("has no input named 'pixels'");
    }

    @Test
    void narrowerIntegerArraysAreWidenedAndBatchesHaveTheRequestedShape() throws Exception {
        NpyArray ids = NpyArray.read(path("bytelm_small_eval_ids.npy"));
        long[] values = ids.toLongArray();
        int[] narrow = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            narrow[i] = (int) values[i];
        }
        ByteBuffer bytes = ByteBuffer.allocate(narrow.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(narrow);
        NpyArray int32 = NpyArray.of(NpyDType.INT32, ids.shape(), bytes);

        InputFeeds feeds = InputFeeds.bind(lm.inputs(), Map.of("input_ids", int32), "bytelm_small.onnx");
        try (InputBatch batch = feeds.batch(lm.environment(), 10, 3)) {
            var tensor = batch.tensors().get("input_ids");
            assertThat(tensor.getInfo().getShape()).containsExactly(3, 128);
            assertThat(tensor.getLongBuffer().get(0)).isEqualTo(values[10 * 128]);
        }
        assertThat(feeds.samples()).isEqualTo(200);
        assertThat(feeds.specs()).extracting(TensorSpec::name).isEqualTo(List.of("input_ids"));
    }

    @Test
    void labelsWithTheWrongSampleCountAreRejected() throws Exception {
        EvaluationData data = new EvaluationData(Map.of("input", MappedNpy.open(path("digits_eval_x.npy"))),
                NpyArray.ofLongs(new long[10], 10), null);

        assertThatThrownBy(() -> Evaluator.evaluate(EvaluationTask.CLASSIFICATION, mlp, null, data, 32,
                ProgressListener.NONE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("labels have 10 samples")
                .hasMessageContaining("inputs have 500");
    }
}
