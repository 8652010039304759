package io.qreg.onnx;

import java.io.IOException;

/**
 * The bytes are not a well-formed ONNX model (or end before the model does).
 *
 * <p>It is an {@link IOException} because it is raised while reading, so callers that already
 * handle I/O failures get it for free; callers that want to tell "bad upload" from "disk error"
 * catch this subtype first. The message is meant to be shown to the person who uploaded the file.
 */
public class OnnxFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public OnnxFormatException(String message) {
        super(message);
    }
}
