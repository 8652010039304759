package io.qreg.engine.quant.weightonly.hqq;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.eval.EvaluationData;
import io.qreg.engine.eval.EvaluationOptions;
import io.qreg.engine.eval.EvaluationTask;
import io.qreg.engine.eval.Evaluator;
import io.qreg.engine.eval.Fixtures;
import io.qreg.engine.eval.MetricKeys;
import io.qreg.engine.quant.weightonly.NBitsRewrite;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HqqPerplexityTest {

    @TempDir
    Path dir;

    @Test
    void bytelmHqqBlock32PerplexityBeatsRoundToNearestInOnnxRuntime() throws Exception {
        Path fp32 = Fixtures.path("bytelm_small.onnx");
        Path hqq = dir.resolve("hqq.onnx");
        Path rtn = dir.resolve("rtn.onnx");
        int layers = NBitsRewrite.rewrite(fp32, hqq, layer -> Hqq.quantize(layer.weight(), layer.k(), layer.n(), 4, 32));
        NBitsRewrite.roundToNearest(fp32, rtn, 4, 32, true);

        Path symmetric = dir.resolve("hqq_symmetric.onnx");
        NBitsRewrite.rewrite(fp32, symmetric, layer -> Hqq.quantizeSymmetric(layer.weight(), layer.k(), layer.n(), 4,
                32, HqqOptions.defaults()));

        double hqqPerplexity = perplexity(hqq);
        double rtnPerplexity = perplexity(rtn);
        double symmetricPerplexity = perplexity(symmetric);
        System.out.printf("bytelm_small int4 block 32: HQQ perplexity %.4f, HQQ symmetric %.4f, RTN symmetric %.4f"
                + " (%d layers)%n", hqqPerplexity, symmetricPerplexity, rtnPerplexity, layers);
        assertThat(layers).isEqualTo(9);
        assertThat(hqqPerplexity).isLessThan(rtnPerplexity).isLessThanOrEqualTo(6.205);
        assertThat(symmetricPerplexity).isLessThanOrEqualTo(rtnPerplexity);
    }

    private static double perplexity(Path model) throws Exception {
        EvaluationData data = Fixtures.bytelmEvalSplit();
        return Evaluator.evaluate(EvaluationTask.LANGUAGE_MODEL, model, null, data, new EvaluationOptions(50, 1),
                ProgressListener.NONE).metric(MetricKeys.PERPLEXITY);
    }
}
