package io.qreg.worker.protocol;

/** A protocol body that cannot be read: the message names the part and the member, e.g. {@code recipe: "blockSize" ...}. */
public class ProtocolException extends IllegalArgumentException {

    public ProtocolException(String message) {
        super(message);
    }

    /** Reads one part of a body, prefixing any refusal with the part's name. */
    static <T> T reading(String part, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (ProtocolException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(part + ": " + e.getMessage());
        }
    }
}
