package io.qreg.engine.quant.weightonly.hqq;

import io.qreg.engine.quant.weightonly.BlockQuantizedWeight;
import java.util.stream.IntStream;

/**
 * Half-Quadratic Quantization (Badri &amp; Shaji, 2023) into MatMulNBits blocks, without calibration data.
 *
 * <p>Each block of a column keeps its min/max scale, {@code scale = (max − min) / (2^bits − 1)}, and only its zero
 * point z is optimised, for the sparsity-promoting objective {@code ‖W − dequant(Q(W))‖ₚᵖ} with p &lt; 1 (heavy
 * outliers then cost less than under L2, so the grid fits the bulk of the weights). Half-quadratic splitting adds an
 * auxiliary error E and alternates two closed-form steps:
 * <ol>
 * <li>E = shrinkₚ(W − dequant(Q(W)), β): the generalised soft threshold, {@code sign(x)·max(0, |x| − |x|^(p−1)/β)};
 * <li>z = mean(Q(W) − (W − E)/scale): the zero point that best explains W − E with the current codes.
 * </ol>
 * β grows by κ each iteration. A block stops once its mean |W − dequant(Q(W))| no longer falls, and keeps the zero
 * point that gave the least error seen (ONNX Runtime's HQQ returns the one after the worsening step; keeping the
 * best one makes more iterations never worse). The zero point stays fractional: MatMulNBits takes float zero points
 * of the scales' type, which ONNX Runtime's CPU kernel dequantizes as {@code (code − z) · scale}.
 */
public final class Hqq {

    private Hqq() {
    }

    /** HQQ with the default options (p = 0.7, β = 10, κ = 1.01, 20 iterations): float zero points. */
    public static BlockQuantizedWeight quantize(float[] w, int k, int n, int bits, int blockSize) {
        return quantize(w, k, n, bits, blockSize, HqqOptions.defaults());
    }

    /**
     * @param w the weight, row-major [k, n] (MatMul's B: k input channels × n output columns)
     * @param bits 4: ONNX Runtime's CPU kernel rejects float zero points at 8 bits
     * @return codes with float scales and float zero points, blocks along k
     */
    public static BlockQuantizedWeight quantize(float[] w, int k, int n, int bits, int blockSize,
            HqqOptions options) {
        if (bits != 4) {
            // Measured: ONNX Runtime 1.23.2's CPU MatMulNBits takes float zero points only at 4 bits ("Only 4b
            // quantization is supported for unpacked compute"); the symmetric variant stores none and takes 8.
            throw new IllegalArgumentException("HQQ's float zero points need 4 bits in ONNX Runtime's MatMulNBits,"
                    + " got " + bits + " (use the symmetric variant for 8)");
        }
        if (w.length != k * n) {
            throw new IllegalArgumentException("weight has " + w.length + " elements, not " + k + " x " + n);
        }
        int blocks = BlockQuantizedWeight.blocks(k, blockSize);
        int blob = BlockQuantizedWeight.blobSize(blockSize, bits);
        int maxCode = (1 << bits) - 1;
        byte[] packed = new byte[n * blocks * blob];
        float[] scales = new float[n * blocks];
        float[] zeros = new float[n * blocks];
        PowerTable power = new PowerTable(options.lpNorm() - 1);
        forEachBlock(w, k, n, blockSize, (block, values, len, codes) -> {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < len; i++) {
                min = Math.min(min, values[i]);
                max = Math.max(max, values[i]);
            }
            // HQQ works with the inverse scale so quantizing is w·s + z; a flat block gets range 2^bits − 1.
            double inverse = maxCode / (max > min ? max - min : maxCode);
            double zero = optimiseZero(values, len, inverse, Math.rint(-min * inverse), maxCode, options, power);
            float scale = (float) (1 / inverse);
            float z = (float) zero;
            scales[block] = scale;
            zeros[block] = z;
            // Codes from the stored float scale and zero point, exactly as the kernel will read them back.
            for (int i = 0; i < blockSize; i++) {
                double x = i < len ? values[i] / scale + z : z;
                codes[i] = (int) Math.max(0, Math.min(maxCode, Math.rint(x)));
            }
            BlockQuantizedWeight.pack(codes, bits, packed, block * blob);
        });
        return new BlockQuantizedWeight(k, n, bits, blockSize, packed, scales, null, zeros);
    }

    /**
     * The symmetric variant, for {@code --symmetric}: MatMulNBits then stores no zero points (the kernel's default
     * 2^(bits−1)), so the zero point cannot move and the same half-quadratic scheme optimises the scale instead,
     * starting from round-to-nearest's (the largest-magnitude element on code 0). Its closed-form step is the
     * least-squares scale for W − E with the current codes, {@code scale = Σ(w − e)(q − z) / Σ(q − z)²}. This is an
     * extension of the paper, which optimises the zero point only.
     */
    public static BlockQuantizedWeight quantizeSymmetric(float[] w, int k, int n, int bits, int blockSize,
            HqqOptions options) {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("MatMulNBits takes 4 or 8 bits, got " + bits);
        }
        int blocks = BlockQuantizedWeight.blocks(k, blockSize);
        int blob = BlockQuantizedWeight.blobSize(blockSize, bits);
        int maxCode = (1 << bits) - 1;
        int mid = 1 << (bits - 1);
        byte[] packed = new byte[n * blocks * blob];
        float[] scales = new float[n * blocks];
        PowerTable power = new PowerTable(options.lpNorm() - 1);
        forEachBlock(w, k, n, blockSize, (block, values, len, codes) -> {
            double extreme = 0;
            for (int i = 0; i < len; i++) {
                extreme = Math.abs(values[i]) > Math.abs(extreme) ? values[i] : extreme;
            }
            float scale = extreme == 0 ? 1f
                    : (float) optimiseScale(values, len, extreme / -mid, mid, maxCode, options, power);
            scales[block] = scale;
            for (int i = 0; i < blockSize; i++) {
                codes[i] = i < len ? (int) Math.max(0, Math.min(maxCode, Math.rint(values[i] / scale) + mid)) : mid;
            }
            BlockQuantizedWeight.pack(codes, bits, packed, block * blob);
        });
        return new BlockQuantizedWeight(k, n, bits, blockSize, packed, scales, null);
    }

    /** One block of one column: its weights in {@code values[0, len)}, and a scratch array for its codes. */
    private interface BlockTask {
        void run(int block, double[] values, int len, int[] codes);
    }

    /** Columns per task: enough work to amortise a task, enough tasks to keep both cores busy to the end. */
    private static final int COLUMNS_PER_TASK = 64;

    /**
     * Runs {@code task} on every block of every column, {@code block = column · blocks + b}. Blocks are independent,
     * so the columns are split over the cores (the results do not depend on the split); each task owns its
     * columns' blocks, so the outputs never overlap.
     */
    private static void forEachBlock(float[] w, int k, int n, int blockSize, BlockTask task) {
        int blocks = BlockQuantizedWeight.blocks(k, blockSize);
        int tasks = (n + COLUMNS_PER_TASK - 1) / COLUMNS_PER_TASK;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            double[] values = new double[blockSize];
            int[] codes = new int[blockSize];
            for (int col = t * COLUMNS_PER_TASK; col < Math.min(n, (t + 1) * COLUMNS_PER_TASK); col++) {
                for (int b = 0; b < blocks; b++) {
                    int start = b * blockSize;
                    int len = Math.min(k, start + blockSize) - start;
                    for (int i = 0; i < len; i++) {
                        values[i] = w[(start + i) * n + col];
                    }
                    task.run(col * blocks + b, values, len, codes);
                }
            }
        });
    }

    /** The proximal iterations for one block's scale with the zero point fixed; the best scale seen. */
    static double optimiseScale(double[] w, int len, double scale, int zero, int maxCode, HqqOptions options,
            PowerTable power) {
        double beta = options.beta();
        double bestScale = scale;
        double bestError = Double.POSITIVE_INFINITY;
        for (int iteration = 0; iteration <= options.iterations(); iteration++) {
            double error = 0;
            double numerator = 0;
            double denominator = 0;
            for (int i = 0; i < len; i++) {
                double q = Math.max(0, Math.min(maxCode, Math.rint(w[i] / scale) + zero)) - zero;
                double residual = w[i] - q * scale;
                error += Math.abs(residual);
                numerator += (w[i] - shrink(residual, beta, power)) * q;
                denominator += q * q;
            }
            if (!(error < bestError)) {
                break;
            }
            bestError = error;
            bestScale = scale;
            if (denominator == 0 || numerator == 0) {
                break;
            }
            scale = numerator / denominator;
            beta *= options.kappa();
        }
        return bestScale;
    }

    /**
     * The proximal iterations for one block's zero point.
     *
     * @return the zero point with the least mean |w − dequant(Q(w))| seen, the starting one included
     */
    static double optimiseZero(double[] w, int len, double inverse, double zero, int maxCode, HqqOptions options,
            PowerTable power) {
        double beta = options.beta();
        double bestZero = zero;
        double bestError = Double.POSITIVE_INFINITY;
        for (int iteration = 0; iteration <= options.iterations(); iteration++) {
            double error = 0;
            double zeroSum = 0;
            for (int i = 0; i < len; i++) {
                double q = Math.max(0, Math.min(maxCode, Math.rint(w[i] * inverse + zero)));
                double residual = w[i] - (q - zero) / inverse;
                error += Math.abs(residual);
                zeroSum += q - (w[i] - shrink(residual, beta, power)) * inverse;
            }
            error /= len;
            if (!(error < bestError)) {
                break;
            }
            bestError = error;
            bestZero = zero;
            zero = zeroSum / len;
            beta *= options.kappa();
        }
        return bestZero;
    }

    /**
     * The proximal operator of |x|ᵖ/β: soft thresholding, generalised to p &lt; 1 (exactly soft at p = 1);
     * {@code power} computes {@code x^(p − 1)}.
     */
    static double shrink(double x, double beta, PowerTable power) {
        double magnitude = Math.abs(x);
        double threshold = power.of(magnitude + 1e-8) / beta;
        return Math.signum(x) * Math.max(0, magnitude - threshold);
    }
}
