package io.qreg.engine.eval;

/**
 * The caller's data or model does not fit what was asked of it: an input array whose shape or dtype the model
 * cannot take, a missing or unknown input, labels that do not line up with the outputs. Distinct from internal
 * failures so that a CLI can report it as bad input (exit code 2) rather than as a bug.
 */
public class InvalidInputException extends RuntimeException {

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
