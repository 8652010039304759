package io.qreg.registry.webhook;

/** A transition the delivery's state machine does not allow; the message names the state it is in. */
public class IllegalDeliveryTransitionException extends RuntimeException {

    private final DeliveryStatus state;

    IllegalDeliveryTransitionException(DeliveryStatus state, String detail) {
        super(detail);
        this.state = state;
    }

    public DeliveryStatus state() {
        return state;
    }
}
