/**
 * Rollouts: moving a candidate variant (or the model's FP32 checkpoint) into a deployment's tier
 * step by step under approvals and canary analysis, what each tier serves as a result, and what
 * happens to a backend whose approval lapsed.
 */
package io.qreg.registry.rollout;
