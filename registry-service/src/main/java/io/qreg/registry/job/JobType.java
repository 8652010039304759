package io.qreg.registry.job;

/** What a job does. */
public enum JobType {
    QUANTIZE, EVALUATE, BENCHMARK
}
