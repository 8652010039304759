package io.qreg.engine.model;

import java.io.IOException;

/**
 * A model file cannot be used as an ONNX model: it is not ONNX, is truncated, or its external data is
 * missing, out of range or outside the model's directory; or a model cannot be written as ONNX.
 *
 * <p>An {@link IOException}, like {@code io.qreg.onnx.OnnxFormatException}, because it arises while
 * reading or writing files; callers that want to tell "bad model" from "disk error" catch this first.
 * Messages name the file and say what to do, since they reach the person who supplied the model.
 */
public class OnnxModelException extends IOException {

    private static final long serialVersionUID = 1L;

    public OnnxModelException(String message) {
        super(message);
    }

    public OnnxModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
