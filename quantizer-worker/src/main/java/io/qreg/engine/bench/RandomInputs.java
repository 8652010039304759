package io.qreg.engine.bench;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.qreg.engine.eval.InvalidInputException;
import io.qreg.engine.eval.TensorSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random tensors shaped from a model's input metadata, for benchmarks without a dataset.
 *
 * <p>Shapes come from {@link InputShapes}. Floats are uniform in [0, 1), like normalized pixels; integers and bools are 0 or 1, the
 * only values certain to be valid for any embedding table, class index or attention mask. Latency of the dense
 * operators that dominate these models does not depend on the values.
 */
final class RandomInputs {

    private RandomInputs() {
    }

    /** @param shapes every input's shape, from {@link InputShapes#resolve} */
    static Map<String, OnnxTensor> create(OrtEnvironment environment, List<TensorSpec> inputs,
                                          Map<String, long[]> shapes, long seed) throws OrtException {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        try {
            for (TensorSpec spec : inputs) {
                long[] shape = shapes.get(spec.name());
                long elements = 1;
                for (long dim : shape) {
                    elements = Math.multiplyExact(elements, dim);
                }
                OnnxJavaType type = spec.type();
                ByteBuffer data = ByteBuffer.allocateDirect(Math.toIntExact(elements * type.size))
                        .order(ByteOrder.nativeOrder());
                for (long i = 0; i < elements; i++) {
                    switch (type) {
                        case FLOAT -> data.putFloat((float) random.nextDouble());
                        case DOUBLE -> data.putDouble(random.nextDouble());
                        case FLOAT16, BFLOAT16 -> data.putShort(random.nextBoolean() ? (short) 0x3C00 : 0); // 1.0 or 0
                        case INT64 -> data.putLong(random.nextInt(2));
                        case INT32 -> data.putInt(random.nextInt(2));
                        case INT16 -> data.putShort((short) random.nextInt(2));
                        case INT8, UINT8, BOOL -> data.put((byte) random.nextInt(2));
                        default -> throw new InvalidInputException("input '" + spec.name() + "' is "
                                + spec.elementTypeName() + "; random data cannot be made for it, give an array");
                    }
                }
                data.flip();
                tensors.put(spec.name(), OnnxTensor.createTensor(environment, data, shape, type));
            }
        } catch (OrtException | RuntimeException e) {
            tensors.values().forEach(OnnxTensor::close);
            throw e;
        }
        return tensors;
    }
}
