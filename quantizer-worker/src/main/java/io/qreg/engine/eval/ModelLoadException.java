package io.qreg.engine.eval;

/** A model file that is missing or that ONNX Runtime refuses to load (not ONNX, unsupported operator...). */
public class ModelLoadException extends InvalidInputException {

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
