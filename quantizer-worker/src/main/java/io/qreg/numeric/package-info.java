/** Number formats Java 17 lacks (IEEE 754 binary16), shared by the .npy reader and the engine; depends on nothing. */
package io.qreg.numeric;
