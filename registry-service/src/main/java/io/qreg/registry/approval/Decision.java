package io.qreg.registry.approval;

/** What a signer decides. */
public enum Decision {
    APPROVE, REJECT
}
