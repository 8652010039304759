/**
 * NumPy {@code .npy} files and {@code .npz}/{@code .zip} archives of them: streaming validation of uploads,
 * loading arrays for the quantization engine, and writing them for tests and tools.
 */
package io.qreg.npy;
