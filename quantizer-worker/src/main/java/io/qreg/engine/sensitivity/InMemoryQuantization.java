package io.qreg.engine.sensitivity;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.quant.Passes;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.onnx.ir.ModelProto;

/** The method's pass applied to a fresh copy of a model, leaving the original untouched. */
final class InMemoryQuantization {

    private InMemoryQuantization() {
    }

    /** Passes report their own progress; inside an analysis that would be dozens of restarting bars, so none. */
    static QuantizationContext apply(ModelProto original, QuantizationOptions options) throws QuantizationException {
        QuantizationContext context = new QuantizationContext(OnnxModel.of(original), options, ProgressListener.NONE);
        Passes.forMethod(options.method()).apply(context);
        return context;
    }
}
