package io.qreg.registry.support;

import io.qreg.registry.support.IllegalTransitionException;

/**
 * A transition an aggregate's state machine does not allow (a job, an approval, a rollout, a webhook delivery); the
 * message names the state it is in. The API answers it with 409 Conflict.
 */
public class IllegalTransitionException extends RuntimeException {

    private final Enum<?> state;

    public IllegalTransitionException(Enum<?> state, String detail) {
        super(detail);
        this.state = state;
    }

    /** The state the aggregate was in when the transition was refused. */
    public Enum<?> state() {
        return state;
    }
}
