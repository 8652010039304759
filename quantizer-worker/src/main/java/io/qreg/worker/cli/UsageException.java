package io.qreg.worker.cli;

/** The command line is wrong (unknown option, missing value, missing file); reported with exit code 2. */
public class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
