package io.qreg.registry.approval;

/**
 * A sign-off the rules refuse: {@code forbidden} when this person may never sign this request
 * (separation of duties, a role it does not need), otherwise a conflict with what was already signed.
 */
class SignoffRefusedException extends RuntimeException {

    private final boolean forbidden;

    SignoffRefusedException(boolean forbidden, String detail) {
        super(detail);
        this.forbidden = forbidden;
    }

    boolean forbidden() {
        return forbidden;
    }
}
