/**
 * The job queue: hardware targets, registered workers, jobs (QUANTIZE, EVALUATE, BENCHMARK) with
 * attempts and leases, the worker protocol (register, long-poll claim, heartbeat, result) and the
 * lease sweeper that re-queues the jobs of workers that went silent.
 */
package io.qreg.registry.job;
