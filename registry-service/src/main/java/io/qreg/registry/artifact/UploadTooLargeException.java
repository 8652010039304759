package io.qreg.registry.artifact;

/** An upload that grew past the configured limit; nothing of it is kept. */
public class UploadTooLargeException extends RuntimeException {

    public UploadTooLargeException(long limitBytes) {
        super("the upload exceeds the limit of " + limitBytes + " bytes (qreg.upload.max-bytes / QREG_MAX_UPLOAD_BYTES)");
    }
}
