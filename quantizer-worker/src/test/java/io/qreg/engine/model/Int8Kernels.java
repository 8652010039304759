package io.qreg.engine.model;

import io.qreg.worker.daemon.HardwareProfile;
import java.util.List;

/**
 * Test-only: whether ONNX Runtime's int8 kernels lose precision on this CPU, for the tests whose SQNR floors were
 * measured on a machine where they do not.
 *
 * <p>On x86 without VNNI, ONNX Runtime multiplies 8-bit activations by 8-bit weights with VPMADDUBSW, which adds
 * each pair of products into an int16 that saturates; its quantization guide warns of it for U8S8 and suggests
 * {@code reduce_range}. VNNI's VPDPBUSD adds into int32, and ARM's dot products do not saturate. Measured on a
 * two-core AVX2 EPYC (no AVX-512): a fused int8-static block fell from 29.1 dB to 17.4 dB and an int8-dynamic
 * LSTM with per-column weights from 35.5 dB to 20.7 dB; the block run with graph optimizations off, its Q/DQ
 * computed in float as the ONNX spec states them, kept its 29.1 dB there.
 */
public final class Int8Kernels {

    private static final boolean SATURATE = saturates(System.getProperty("os.arch"), HardwareProfile.detect().flags());

    private Int8Kernels() {
    }

    /** True where ONNX Runtime's int8 kernels sum pairs of products in a saturating int16 (x86 without VNNI). */
    public static boolean saturatePairSums() {
        return SATURATE;
    }

    static boolean saturates(String arch, List<String> cpuFlags) {
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        return x86 && !cpuFlags.contains("avx512_vnni") && !cpuFlags.contains("avx_vnni");
    }
}
