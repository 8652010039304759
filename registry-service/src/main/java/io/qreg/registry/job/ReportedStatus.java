package io.qreg.registry.job;

import java.util.Arrays;

import io.qreg.registry.web.ApiException;

/** How a worker says an attempt ended, in its result: parsed once, where the result arrives. */
enum ReportedStatus {
    SUCCEEDED, FAILED, CANCELLED;

    static ReportedStatus parse(String value) {
        for (ReportedStatus s : values()) {
            if (s.name().equals(value)) {
                return s;
            }
        }
        throw ApiException.invalid("status", "status must be one of " + Arrays.toString(values()) + ", got '"
                + value + "'");
    }
}
