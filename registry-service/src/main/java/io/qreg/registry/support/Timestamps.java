package io.qreg.registry.support;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The current time at PostgreSQL's precision (microseconds), so a value returned when a row is
 * written equals the value read back later, and digests computed over either agree.
 */
public final class Timestamps {

    private Timestamps() {
    }

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
