package io.qreg.worker.daemon;

import java.io.IOException;

/** A download whose bytes do not hash to the advertised sha256: a transient fault, the attempt is retryable. */
public final class DigestMismatchException extends IOException {

    public DigestMismatchException(String what, String expected, String actual) {
        super("sha256 mismatch downloading " + what + ": expected " + expected + ", got " + actual);
    }
}
