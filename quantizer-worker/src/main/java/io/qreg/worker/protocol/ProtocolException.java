package io.qreg.worker.protocol;

/**
 * A protocol body that cannot be read: the message names the part and the member, e.g. {@code recipe: "blockSize"
 * ...}; {@link #field()} is the member, for a registry answering with a problem that names it.
 */
public class ProtocolException extends IllegalArgumentException {

    private final String field;

    public ProtocolException(String message) {
        this(null, message);
    }

    public ProtocolException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The member at fault, or null when only the message names it. */
    public String field() {
        return field;
    }

    /** Reads one member of a body the registry answers about: a refusal names the member as its field. */
    static <T> T member(String field, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (ProtocolException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(field, e.getMessage());
        }
    }

    /** Reads one part of a body, prefixing any refusal with the part's name. */
    static <T> T reading(String part, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (ProtocolException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(part, part + ": " + e.getMessage());
        }
    }
}
