package io.qreg.worker.protocol;

/** How an attempt ended, as the worker reports it in its result ({@code status}). */
public enum ResultStatus {
    SUCCEEDED, FAILED, CANCELLED
}
