package io.qreg.registry.job;

/** A transition the job's state machine does not allow; the message names the state the job is in. */
public class IllegalJobTransitionException extends RuntimeException {

    private final JobStatus state;

    IllegalJobTransitionException(JobStatus state, String detail) {
        super(detail);
        this.state = state;
    }

    public JobStatus state() {
        return state;
    }
}
