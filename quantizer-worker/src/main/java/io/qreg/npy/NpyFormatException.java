package io.qreg.npy;

import java.io.IOException;

/**
 * The bytes are not a NumPy file this project accepts. The message says what is wrong in terms the
 * uploader can act on; it is an {@link IOException} because it arises while reading.
 */
public class NpyFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public NpyFormatException(String message) {
        super(message);
    }

    public NpyFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
