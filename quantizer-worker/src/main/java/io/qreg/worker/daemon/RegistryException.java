package io.qreg.worker.daemon;

import java.io.IOException;

/** The registry answered with an error status; {@link #detail()} is the problem+json {@code detail} when given. */
public class RegistryException extends IOException {

    private final int status;
    private final String detail;

    public RegistryException(String call, int status, String detail) {
        super(call + " answered " + status + (detail == null || detail.isBlank() ? "" : ": " + detail));
        this.status = status;
        this.detail = detail;
    }

    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }
}
