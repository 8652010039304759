/**
 * The engine's entry point: one model file in, one verified quantized file and its report out, running the
 * method's pass (or the sensitivity analysis above it) between loading and verifying.
 */
package io.qreg.engine.pipeline;
