/** Activation ranges from calibration data: range-estimation strategies and the ONNX Runtime run that feeds them. */
package io.qreg.engine.calibration;
