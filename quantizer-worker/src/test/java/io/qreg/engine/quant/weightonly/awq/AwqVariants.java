package io.qreg.engine.quant.weightonly.awq;

import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.quant.weightonly.NBitsRewrite;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The two int4 (block 32, symmetric) models an AWQ test compares: AWQ, which is round-to-nearest of the model with
 * the scales folded in, and plain round-to-nearest of the original.
 */
record AwqVariants(Path awq, Path rtn) {

    /** Saves {@code folded} (the original model after {@link AwqFold}) in {@code dir} and writes both variants there. */
    static AwqVariants write(OnnxModel folded, Path original, Path dir) throws IOException {
        Path foldedFile = dir.resolve("folded.onnx");
        folded.save(foldedFile);
        Path awq = dir.resolve("awq.onnx");
        Path rtn = dir.resolve("rtn.onnx");
        NBitsRewrite.roundToNearest(foldedFile, awq, 4, 32, true);
        NBitsRewrite.roundToNearest(original, rtn, 4, 32, true);
        return new AwqVariants(awq, rtn);
    }
}
