package io.qreg.worker.daemon;

/** 409 on a heartbeat or result: this attempt no longer owns the job; stop at once and report nothing. */
public final class LeaseLostException extends RegistryException {

    public LeaseLostException(String call, String detail) {
        super(call, 409, detail);
    }
}
