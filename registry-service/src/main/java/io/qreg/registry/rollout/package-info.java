/**
 * Rollouts: moving a candidate variant (or the model's FP32 checkpoint) into a deployment's tier
 * step by step under approvals and canary health, and what each tier serves as a result.
 */
package io.qreg.registry.rollout;
