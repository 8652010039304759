/** Datasets: named, immutable versions of NumPy tensors used to calibrate and evaluate models. */
package io.qreg.registry.dataset;
