/** Variants: quantized artifacts with full lineage, and the evaluations and benchmarks measured on them. */
package io.qreg.registry.variant;
