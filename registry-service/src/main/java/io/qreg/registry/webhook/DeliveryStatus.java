package io.qreg.registry.webhook;

/** Where a delivery stands; see {@link Delivery} for the transitions. */
public enum DeliveryStatus {
    PENDING, SENDING, DELIVERED, FAILED, CANCELLED
}
