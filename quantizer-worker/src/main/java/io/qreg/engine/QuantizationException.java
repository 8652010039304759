package io.qreg.engine;

/**
 * A model or option the engine cannot quantize as asked, with a message a person can act on
 * (the CLI exits 2 with it). Internal faults are ordinary runtime exceptions instead.
 */
public class QuantizationException extends Exception {

    public QuantizationException(String message) {
        super(message);
    }

    public QuantizationException(String message, Throwable cause) {
        super(message, cause);
    }
}
