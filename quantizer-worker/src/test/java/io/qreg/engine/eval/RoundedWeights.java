package io.qreg.engine.eval;

import ai.onnxruntime.OrtException;
import com.google.protobuf.ByteString;
import io.qreg.engine.ProgressListener;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.TensorProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a copy of an ONNX model whose float initializers are rounded to {@code levels} steps per sign of their
 * largest magnitude — what symmetric per-tensor fake quantization does — so tests get a model that differs from
 * its original by a known, small amount without depending on the quantization engine.
 */
final class RoundedWeights {

    private RoundedWeights() {
    }

    /**
     * What the evaluator tests judge a language model's metrics on: bytelm_small rounded to 15 levels, evaluated
     * against bytelm_small itself on 50 sequences of its evaluation split.
     */
    static EvaluationResult roundedByteLmAgainstItsOriginal(Path dir) throws IOException, OrtException {
        Path rounded = write(Fixtures.path("bytelm_small.onnx"), 15, dir.resolve("lm_rounded.onnx"));
        return Evaluator.evaluate(EvaluationTask.LANGUAGE_MODEL, rounded, Fixtures.path("bytelm_small.onnx"),
                Fixtures.bytelmEvalSplit(), new EvaluationOptions(50, 0), ProgressListener.NONE);
    }

    static Path write(Path original, int levels, Path target) throws IOException {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(original));
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto tensor = graph.getInitializer(i);
            if (tensor.getDataType() == TensorProto.DataType.FLOAT_VALUE && !tensor.getRawData().isEmpty()) {
                graph.setInitializer(i, tensor.toBuilder().setRawData(round(tensor.getRawData(), levels)));
            }
        }
        Files.write(target, model.toBuilder().setGraph(graph).build().toByteArray());
        return target;
    }

    private static ByteString round(ByteString raw, int levels) {
        FloatBuffer in = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float max = 0;
        for (int i = 0; i < in.limit(); i++) {
            max = Math.max(max, Math.abs(in.get(i)));
        }
        ByteBuffer out = ByteBuffer.allocate(raw.size()).order(ByteOrder.LITTLE_ENDIAN);
        float step = max == 0 ? 1 : max / levels;
        for (int i = 0; i < in.limit(); i++) {
            out.putFloat(Math.round(in.get(i) / step) * step);
        }
        return ByteString.copyFrom(out.array());
    }
}
