package io.qreg.engine.eval;

import ai.onnxruntime.OnnxTensor;

import java.util.Collections;
import java.util.Map;

/** One batch of input tensors by input name; closing it frees their native memory. */
public final class InputBatch implements AutoCloseable {

    private final Map<String, OnnxTensor> tensors;

    InputBatch(Map<String, OnnxTensor> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public Map<String, OnnxTensor> tensors() {
        return tensors;
    }

    @Override
    public void close() {
        tensors.values().forEach(OnnxTensor::close);
    }
}
