package io.qreg.registry.artifact;

/** A request body that is not well-formed multipart, or that ended before it was complete. */
public class MultipartException extends RuntimeException {

    public MultipartException(String message) {
        super(message);
    }
}
