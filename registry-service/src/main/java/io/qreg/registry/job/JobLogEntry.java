package io.qreg.registry.job;

import java.time.Instant;

/** One line of a job's history: which attempt it belongs to, when, how serious, and what happened. */
public record JobLogEntry(int attempt, Instant loggedAt, Level level, String message) {

    public enum Level { INFO, WARN, ERROR }
}
