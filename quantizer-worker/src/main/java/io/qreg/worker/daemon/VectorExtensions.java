package io.qreg.worker.daemon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU's vector instruction sets that matter for running quantized models, named in words from the raw
 * {@code /proc/cpuinfo} flags a {@link HardwareProfile} carries (a log line reading "flags 107" tells nobody
 * whether the machine has AVX-512 VNNI). Hardware targets still match on the raw flags.
 */
final class VectorExtensions {

    /** Flag as /proc/cpuinfo spells it, and its usual name; in order from older to newer, x86 then ARM. */
    private static final Map<String, String> NAMES = names();

    private VectorExtensions() {
    }

    /** E.g. {@code "vector instructions AVX2, FMA, AVX-512, AVX-512 VNNI"}, or that none were found. */
    static String describe(List<String> flags) {
        List<String> found = new ArrayList<>();
        NAMES.forEach((flag, name) -> {
            if (flags.contains(flag)) {
                found.add(name);
            }
        });
        return found.isEmpty() ? "no vector instructions beyond the baseline" : "vector instructions "
                + String.join(", ", found);
    }

    private static Map<String, String> names() {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("sse4_2", "SSE4.2");
        names.put("avx", "AVX");
        names.put("avx2", "AVX2");
        names.put("fma", "FMA");
        names.put("f16c", "F16C");
        names.put("avx_vnni", "AVX-VNNI");
        names.put("avx512f", "AVX-512");
        names.put("avx512_vnni", "AVX-512 VNNI");
        names.put("avx512_bf16", "AVX-512 BF16");
        names.put("avx512_fp16", "AVX-512 FP16");
        names.put("amx_int8", "AMX-INT8");
        names.put("amx_bf16", "AMX-BF16");
        names.put("neon", "NEON");
        names.put("asimddp", "dot product (SDOT/UDOT)");
        names.put("asimdhp", "FP16 arithmetic");
        names.put("i8mm", "Int8 matrix multiply");
        names.put("bf16", "BF16");
        names.put("sve", "SVE");
        names.put("sve2", "SVE2");
        return names;
    }
}
