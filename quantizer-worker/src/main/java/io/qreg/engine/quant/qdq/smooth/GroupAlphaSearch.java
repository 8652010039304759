package io.qreg.engine.quant.qdq.smooth;

import io.qreg.engine.calibration.Range;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.quant.qdq.QuantParams;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * {@code --smooth-quant auto} for one group: which α (or none) gives the group's layers the least output error once
 * quantized as the static pass will quantize them. One global α is a compromise: a group whose activation has
 * outlier channels wants strong migration, one without outliers is only given extra rounding by it (as Intel Neural
 * Compressor's auto-tuning also finds, it searches α per layer). Each candidate is tried on the calibration rows
 * sampled for the group's activation: X/s fake-quantized per tensor int8 over the range the static pass will
 * calibrate (per-channel extremes divided by s, so exactly the full calibration set's range), W·s fake-quantized
 * to symmetric int8 per output channel or per tensor as the pass will store it, and the products compared with the
 * float X·W. When X itself is quantized before the smoothing (an inserted Mul after an op whose output the pass
 * quantizes), that first rounding is simulated too, which is what makes smoothing there mostly a loss.
 */
final class GroupAlphaSearch {

    /** The coarse α grid, 0.30 to 0.80 in steps of 0.1 (the range). */
    static final double[] COARSE = {0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
    /** The fine step tried on both sides of the best coarse α, so the search resolves α to 0.05. */
    static final double FINE_STEP = 0.05;

    /**
     * @param alpha the α chosen, or NaN for no smoothing (s = 1)
     * @param scales the smoothing factors to apply, or null for none
     * @param errorOff the group's relative output error without smoothing
     * @param error the chosen candidate's relative output error (errorOff when none was chosen)
     */
    record Choice(double alpha, float[] scales, double errorOff, double error) {
        boolean smooths() {
            return scales != null;
        }
    }

    private GroupAlphaSearch() {
    }

    /**
     * The candidate with the least relative output error over the group's layers; no smoothing wins ties.
     *
     * @param perChannel whether the pass gives each output channel of a weight its own scale (else one per tensor)
     * @param quantizedBefore whether X is rounded to its own per-tensor int8 grid before it is divided by s
     */
    static Choice choose(ModelGraph graph, SmoothGroup group, ActivationSample sample, boolean perChannel,
            boolean quantizedBefore) {
        List<float[]> weights = new ArrayList<>();
        List<Integer> outputs = new ArrayList<>();
        for (NodeProto linear : group.linears()) {
            TensorProto weight = graph.initializer(linear.getInput(1)).orElseThrow();
            long[] dims = Tensors.dims(weight);
            boolean transposed = SmoothGroup.transposedWeight(linear);
            int n = Math.toIntExact(transposed ? dims[0] : dims[1]);
            weights.add(inputMajor(Tensors.toFloats(weight), group.channels(), n, transposed));
            outputs.add(n);
        }
        int rows = sample.rowCount();
        float[] x = Arrays.copyOf(sample.rows(), rows * group.channels());
        float[] xBefore = quantizedBefore ? fakeQuantize(x, sample.min(), sample.max(), ones(group.channels())) : x;
        List<float[]> references = new ArrayList<>();
        double norm = 0;
        for (int i = 0; i < weights.size(); i++) {
            float[] y = multiply(x, weights.get(i), rows, group.channels(), outputs.get(i));
            references.add(y);
            for (float v : y) {
                norm += (double) v * v;
            }
        }
        Trial trial = new Trial(xBefore, sample, perChannel, weights, outputs, references, norm,
                SmoothQuant.weightMaxima(graph, group));
        double errorOff = trial.error(ones(group.channels()));
        Choice coarse = null;
        for (double alpha : COARSE) {
            Choice c = trial.at(alpha, errorOff);
            coarse = coarse == null || c.error() < coarse.error() ? c : coarse;
        }
        Choice best = coarse;
        for (double fine : new double[] {coarse.alpha() - FINE_STEP, coarse.alpha() + FINE_STEP}) {
            if (fine > COARSE[0] - 1e-9 && fine < COARSE[COARSE.length - 1] + 1e-9) {
                Choice c = trial.at(fine, errorOff);
                best = c.error() < best.error() ? c : best;
            }
        }
        return best.error() < errorOff ? best : new Choice(Double.NaN, null, errorOff, errorOff);
    }

    /** One group's fixed inputs to the search; {@link #at} tries one α on them. */
    private record Trial(float[] x, ActivationSample sample, boolean perChannel, List<float[]> weights,
            List<Integer> outputs, List<float[]> references, double norm, float[] weightMax) {

        Choice at(double alpha, double errorOff) {
            float[] s = SmoothQuant.scales(sample.absMax(), weightMax, alpha);
            return new Choice(alpha, s, errorOff, error(s));
        }

        /** The relative squared output error with smoothing factors s (all 1: none). */
        double error(float[] s) {
            return GroupAlphaSearch.error(x, sample, s, perChannel, weights, outputs, references) / norm;
        }
    }

    /** Σ‖Q(X/s)·Q(diag(s)·W) − X·W‖² over the group's layers. */
    private static double error(float[] x, ActivationSample sample, float[] s, boolean perChannel,
            List<float[]> weights, List<Integer> outputs, List<float[]> references) {
        int k = sample.channels();
        int rows = sample.rowCount();
        float[] xq = fakeQuantize(x, sample.min(), sample.max(), s);
        double sum = 0;
        for (int i = 0; i < weights.size(); i++) {
            int n = outputs.get(i);
            float[] wq = fakeQuantizeScaledWeight(weights.get(i), s, k, n, perChannel);
            float[] y = multiply(xq, wq, rows, k, n);
            float[] reference = references.get(i);
            for (int p = 0; p < y.length; p++) {
                double d = y[p] - reference[p];
                sum += d * d;
            }
        }
        return sum;
    }

    /**
     * X/s rounded on the per-tensor int8 grid of its calibrated range: the channel extremes divided by s give the
     * range min/max calibration finds on the smoothed activation.
     */
    static float[] fakeQuantize(float[] x, float[] min, float[] max, float[] s) {
        int k = s.length;
        float lo = 0;
        float hi = 0;
        for (int c = 0; c < k; c++) {
            lo = Math.min(lo, min[c] / s[c]);
            hi = Math.max(hi, max[c] / s[c]);
        }
        QuantParams params = QuantParams.forRange(new Range(lo, hi));
        float scale = params.scale();
        int zero = params.zeroPoint();
        float[] q = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            long code = Math.round(Math.rint(x[i] / s[i % k] / scale)) + zero;
            code = Math.max(QuantParams.QMIN, Math.min(QuantParams.QMAX, code));
            q[i] = (code - zero) * scale;
        }
        return q;
    }

    /**
     * diag(s)·W [k, n], rounded to symmetric int8 (-127..127) per output column or over the whole tensor, as the
     * static pass stores it.
     */
    private static float[] fakeQuantizeScaledWeight(float[] w, float[] s, int k, int n, boolean perChannel) {
        float[] scaled = new float[w.length];
        float[] maxAbs = new float[n];
        for (int j = 0; j < k; j++) {
            for (int c = 0; c < n; c++) {
                float v = w[j * n + c] * s[j];
                scaled[j * n + c] = v;
                maxAbs[c] = Math.max(maxAbs[c], Math.abs(v));
            }
        }
        if (!perChannel) {
            float all = 0;
            for (float m : maxAbs) {
                all = Math.max(all, m);
            }
            Arrays.fill(maxAbs, all);
        }
        for (int i = 0; i < scaled.length; i++) {
            float step = maxAbs[i % n] == 0 ? 1f : maxAbs[i % n] / 127f;
            scaled[i] = Math.max(-127, Math.min(127, Math.round(scaled[i] / step))) * step;
        }
        return scaled;
    }

    /** [rows, k] · [k, n], rows in parallel. */
    private static float[] multiply(float[] x, float[] w, int rows, int k, int n) {
        float[] y = new float[rows * n];
        IntStream.range(0, rows).parallel().forEach(r -> {
            int out = r * n;
            for (int j = 0; j < k; j++) {
                float v = x[r * k + j];
                if (v == 0) {
                    continue;
                }
                int in = j * n;
                for (int c = 0; c < n; c++) {
                    y[out + c] += v * w[in + c];
                }
            }
        });
        return y;
    }

    /** The weight as [k, n] row-major, transposing a Gemm's [n, k] (transB). */
    private static float[] inputMajor(float[] w, int k, int n, boolean transposed) {
        if (!transposed) {
            return w;
        }
        float[] t = new float[w.length];
        for (int c = 0; c < n; c++) {
            for (int j = 0; j < k; j++) {
                t[j * n + c] = w[c * k + j];
            }
        }
        return t;
    }

    private static float[] ones(int k) {
        float[] s = new float[k];
        Arrays.fill(s, 1f);
        return s;
    }
}
