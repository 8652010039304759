package io.qreg.registry.approval;

/** A transition the approval's state machine does not allow; the message names the state it is in. */
public class IllegalApprovalTransitionException extends RuntimeException {

    private final ApprovalStatus state;

    IllegalApprovalTransitionException(ApprovalStatus state, String detail) {
        super(detail);
        this.state = state;
    }

    public ApprovalStatus state() {
        return state;
    }
}
