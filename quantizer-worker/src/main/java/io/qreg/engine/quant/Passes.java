package io.qreg.engine.quant;

import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.dynamic.DynamicQuantizationPass;
import io.qreg.engine.quant.fp16.Fp16Pass;
import io.qreg.engine.quant.qat.QatImportPass;
import io.qreg.engine.quant.qdq.StaticQdqPass;
import io.qreg.engine.quant.weightonly.WeightOnlyPass;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The pass for each method: one registration line per method in {@link #REGISTRY}. Passes keep
 * state per run, so each call gets a fresh one.
 */
public final class Passes {

    private static final Map<Method, Supplier<QuantizationPass>> REGISTRY = registry();

    private Passes() {
    }

    private static Map<Method, Supplier<QuantizationPass>> registry() {
        Map<Method, Supplier<QuantizationPass>> m = new EnumMap<>(Method.class);
        m.put(Method.INT8_DYNAMIC, DynamicQuantizationPass::new);
        m.put(Method.INT8_STATIC, StaticQdqPass::new);
        m.put(Method.INT4_WEIGHT, () -> new WeightOnlyPass(4));
        m.put(Method.INT8_WEIGHT, () -> new WeightOnlyPass(8));
        m.put(Method.FP16, Fp16Pass::new);
        m.put(Method.QAT, QatImportPass::new);
        return m;
    }

    public static boolean supports(Method method) {
        return REGISTRY.containsKey(method);
    }

    /** @throws QuantizationException if no pass for the method is built into this engine */
    public static QuantizationPass forMethod(Method method) throws QuantizationException {
        Supplier<QuantizationPass> pass = REGISTRY.get(method);
        if (pass == null) {
            throw new QuantizationException("method " + method.wireName() + " is not available in this build;"
                    + " available: " + REGISTRY.keySet().stream().map(Method::wireName).toList());
        }
        return pass.get();
    }
}
