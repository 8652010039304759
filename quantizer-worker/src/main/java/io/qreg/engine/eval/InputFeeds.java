package io.qreg.engine.eval;

import io.qreg.numeric.Float16;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyDType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Arrays checked against a model's inputs, cut into batches of tensors on demand.
 *
 * <p>Each array's first dimension is samples; the batch dimension of the model input is filled by the batch
 * size, other symbolic dims by the array, and fixed dims must match exactly. Checking everything up front turns
 * what ONNX Runtime would report as a terse native error halfway through a run into a message naming the input,
 * both shapes and both element types.
 */
public final class InputFeeds {

    private final List<Feed> feeds;
    private final int samples;
    private final String modelLabel;

    private InputFeeds(List<Feed> feeds, int samples, String modelLabel) {
        this.feeds = feeds;
        this.samples = samples;
        this.modelLabel = modelLabel;
    }

    private record Feed(TensorSpec spec, NpyArray array, long rowElements) {
    }

    /**
     * Binds {@code arrays} (input name → array) to the model's inputs.
     *
     * @param modelLabel how to name the model in messages (usually its file name)
     * @throws InvalidInputException naming the input when one is missing, unknown, or does not fit
     */
    public static InputFeeds bind(List<TensorSpec> inputs, Map<String, NpyArray> arrays, String modelLabel) {
        Map<String, TensorSpec> byName = new LinkedHashMap<>();
        inputs.forEach(spec -> byName.put(spec.name(), spec));
        for (String given : arrays.keySet()) {
            if (!byName.containsKey(given)) {
                throw new InvalidInputException(modelLabel + " has no input named '" + given + "'; its inputs are "
                        + describe(inputs));
            }
        }
        List<Feed> feeds = new ArrayList<>();
        Integer samples = null;
        String firstName = null;
        for (TensorSpec spec : inputs) {
            NpyArray array = arrays.get(spec.name());
            if (array == null) {
                throw new InvalidInputException("no array given for input '" + spec.name() + "' " + spec.describe()
                        + " of " + modelLabel + "; its inputs are " + describe(inputs));
            }
            check(spec, array, modelLabel);
            int n = array.samples();
            if (samples == null) {
                samples = n;
                firstName = spec.name();
            } else if (samples != n) {
                throw new InvalidInputException("inputs disagree on the number of samples: '" + firstName + "' has "
                        + samples + ", '" + spec.name() + "' has " + n);
            }
            long[] shape = array.shape();
            long rowElements = 1;
            for (int i = 1; i < shape.length; i++) {
                rowElements *= shape[i];
            }
            feeds.add(new Feed(spec, array, rowElements));
        }
        return new InputFeeds(List.copyOf(feeds), samples == null ? 0 : samples, modelLabel);
    }

    private static void check(TensorSpec spec, NpyArray array, String modelLabel) {
        String both = "input '" + spec.name() + "' of " + modelLabel + " is " + spec.describe() + " but the array is "
                + array.dtype().typeName() + Arrays.toString(array.shape());
        ElementTypes.incompatibility(array.dtype(), spec.type()).ifPresent(reason -> {
            throw new InvalidInputException(both + ": " + reason);
        });
        long[] shape = array.shape();
        long[] expected = spec.shape();
        if (shape.length != expected.length) {
            throw new InvalidInputException(both + ": rank " + shape.length + " instead of " + expected.length
                    + " (the first dimension of every array is the sample index)");
        }
        if (shape.length == 0) {
            throw new InvalidInputException(both + ": a scalar has no sample dimension");
        }
        for (int i = 1; i < shape.length; i++) {
            if (expected[i] >= 0 && expected[i] != shape[i]) {
                throw new InvalidInputException(both + ": dimension " + i + " is " + shape[i] + ", the model fixes it at "
                        + expected[i]);
            }
        }
        if (expected[0] >= 0 && shape[0] % expected[0] != 0) {
            throw new InvalidInputException(both + ": the model fixes the batch dimension at " + expected[0]
                    + ", which does not divide " + shape[0] + " samples");
        }
    }

    private static String describe(List<TensorSpec> inputs) {
        return inputs.stream().map(TensorSpec::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    /** Samples in every array (their common first dimension). */
    public int samples() {
        return samples;
    }

    /** The specs of the bound inputs, in the model's order. */
    public List<TensorSpec> specs() {
        return feeds.stream().map(Feed::spec).toList();
    }

    /** The shape of one input as fed with {@code count} samples: the array's shape with the first dim replaced. */
    public long[] batchShape(String input, int count) {
        for (Feed feed : feeds) {
            if (feed.spec.name().equals(input)) {
                long[] shape = feed.array.shape();
                shape[0] = count;
                return shape;
            }
        }
        throw new IllegalArgumentException("no input " + input);
    }

    /**
     * The largest batch a caller may request: {@code requested}, unless the model fixes the batch dimension, in
     * which case exactly that size (a model exported with batch 1 cannot take 32 at once).
     */
    public int effectiveBatchSize(int requested) {
        for (Feed feed : feeds) {
            long fixed = feed.spec.shape()[0];
            if (fixed >= 0) {
                return (int) fixed;
            }
        }
        return requested;
    }

    /**
     * Tensors for samples {@code [start, start + count)}, converted to each input's element type. The tensors own
     * direct buffers of the batch's size only; close the batch before asking for the next one.
     */
    public InputBatch batch(OrtEnvironment environment, int start, int count) throws OrtException {
        if (start < 0 || count <= 0 || start + count > samples) {
            throw new IllegalArgumentException("batch [" + start + ", " + (start + count) + ") outside " + samples
                    + " samples");
        }
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        try {
            for (Feed feed : feeds) {
                tensors.put(feed.spec.name(), tensor(environment, feed, start, count));
            }
        } catch (OrtException | RuntimeException e) {
            tensors.values().forEach(OnnxTensor::close);
            throw e;
        }
        return new InputBatch(tensors);
    }

    /** Tensors for {@code count} samples taken cyclically from the start, for benchmarks with fewer samples. */
    public InputBatch cyclicBatch(OrtEnvironment environment, int count) throws OrtException {
        if (count <= samples) {
            return batch(environment, 0, count);
        }
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        try {
            for (Feed feed : feeds) {
                long rowBytes = feed.rowElements * ElementTypes.size(feed.spec.type());
                ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(rowBytes * count))
                        .order(ByteOrder.nativeOrder());
                for (int i = 0; i < count; i++) {
                    convert(feed, i % samples, 1, out);
                }
                out.flip();
                tensors.put(feed.spec.name(),
                        OnnxTensor.createTensor(environment, out, batchShape(feed.spec.name(), count), feed.spec.type()));
            }
        } catch (OrtException | RuntimeException e) {
            tensors.values().forEach(OnnxTensor::close);
            throw e;
        }
        return new InputBatch(tensors);
    }

    private OnnxTensor tensor(OrtEnvironment environment, Feed feed, int start, int count) throws OrtException {
        long bytes = feed.rowElements * count * ElementTypes.size(feed.spec.type());
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
        convert(feed, start, count, out);
        out.flip();
        return OnnxTensor.createTensor(environment, out, batchShape(feed.spec.name(), count), feed.spec.type());
    }

    /** Appends samples {@code [start, start + count)} of the feed to {@code out} in the input's element type. */
    private void convert(Feed feed, int start, int count, ByteBuffer out) {
        NpyDType source = feed.array.dtype();
        OnnxJavaType target = feed.spec.type();
        long first = (long) start * feed.rowElements;
        int elements = Math.toIntExact(feed.rowElements * count);
        ByteBuffer in = feed.array.data();
        if (ElementTypes.npyType(target).filter(t -> t == source).isPresent()) {
            // Same layout: one bulk copy (ONNX Runtime reads native order, and both numpy and x86/ARM are little-endian).
            int itemSize = source.itemSize();
            ByteBuffer slice = in.position(Math.toIntExact(first * itemSize)).limit(
                    Math.toIntExact((first + elements) * itemSize)).slice();
            out.put(slice);
            return;
        }
        for (int i = 0; i < elements; i++) {
            long index = first + i;
            if (source.isFloatingPoint()) {
                double v = NpyElements.floatAt(in, source, index);
                switch (target) {
                    case FLOAT -> out.putFloat((float) v);
                    case DOUBLE -> out.putDouble(v);
                    case FLOAT16 -> out.putShort(Float16.toHalf((float) v));
                    default -> throw new IllegalStateException("unchecked conversion to " + target);
                }
            } else {
                long v = NpyElements.integerAt(in, source, index);
                switch (target) {
                    case INT64 -> out.putLong(v);
                    case INT32 -> out.putInt((int) inRange(feed, v, Integer.MIN_VALUE, Integer.MAX_VALUE, index));
                    case INT16 -> out.putShort((short) inRange(feed, v, Short.MIN_VALUE, Short.MAX_VALUE, index));
                    case INT8 -> out.put((byte) inRange(feed, v, Byte.MIN_VALUE, Byte.MAX_VALUE, index));
                    case UINT8 -> out.put((byte) inRange(feed, v, 0, 255, index));
                    case BOOL -> out.put((byte) (v != 0 ? 1 : 0));
                    default -> throw new IllegalStateException("unchecked conversion to " + target);
                }
            }
        }
    }

    private long inRange(Feed feed, long value, long min, long max, long index) {
        if (value < min || value > max) {
            throw new InvalidInputException("input '" + feed.spec.name() + "' of " + modelLabel + " is "
                    + feed.spec.elementTypeName() + " but element " + index + " of the " + feed.array.dtype().typeName()
                    + " array is " + value + ", outside [" + min + ", " + max + "]");
        }
        return value;
    }
}
