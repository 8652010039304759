package io.qreg.registry.policy;

/**
 * Published inside the transaction that set or cleared a model's own policy: every open approval of
 * the model is judged again against the policy as it now is.
 */
public record PolicyChanged(String modelName) {
}
