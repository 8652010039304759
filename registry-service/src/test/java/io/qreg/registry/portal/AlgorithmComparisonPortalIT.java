package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.qreg.registry.policy.VariantEvidenceTest;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

/**
 * The weight-only algorithm on the portal: the model page's variant table and chart label each variant with it
 * ("int4 · GPTQ"), one checkpoint's RTN, GPTQ and HQQ variants are compared side by side with perplexity, KL
 * divergence, size and latency, and the variant page's recipe and the API's lineage name it.
 */
class AlgorithmComparisonPortalIT extends VariantEvidenceTest {

    private static Map<String, Object> evaluation(double perplexity, Double meanKld) {
        Map<String, Object> metrics = new LinkedHashMap<>(Map.of("perplexity", perplexity, "top1Agreement", 0.9));
        if (meanKld != null) {
            metrics.put("meanKld", meanKld);
        }
        return Map.of("metrics", metrics, "referenceMetrics", Map.of("perplexity", 6.123),
                "deltas", Map.of("perplexity", perplexity - 6.123), "slices", Map.of(), "samples", 200);
    }

    @Test
    void theVariantTableAndTheComparisonShowEachVariantsAlgorithm() throws Exception {
        String model = maker.model(engineer, "language-model", "standard");
        String target = maker.hardwareTarget("cpu");
        String calibration = "calib-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(admin().upload("/api/v1/datasets", Map.of("name", calibration, "purpose", "calibration"),
                Fixtures.bytes("digits_calib_x.npy"), "input.npy").status()).isEqualTo(201);

        String rtn = maker.quantize(engineer, model, Map.of("method", "int4-weight", "symmetric", true), Map.of());
        maker.evaluate(engineer, rtn, evaluation(6.233, 0.0312));
        maker.benchmark(engineer, rtn, target, 1.5, 1.0, 1_000_000);
        String gptq = maker.quantize(engineer, model, Map.of("method", "int4-weight", "symmetric", true,
                "algorithm", "gptq"), Map.of("calibrationDataset", Map.of("name", calibration, "version", 1)));
        maker.evaluate(engineer, gptq, evaluation(6.171, 0.0175));
        maker.benchmark(engineer, gptq, target, 1.6, 1.0, 1_000_000);
        String hqq = maker.quantize(engineer, model, Map.of("method", "int4-weight", "algorithm", "hqq"), Map.of());
        maker.evaluate(engineer, hqq, evaluation(6.202, null));

        assertThat(admin().get("/api/v1/variants/" + gptq).json().get("lineage").get("recipe").get("algorithm")
                .asString()).isEqualTo("gptq");

        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        String html = viewer.get("/models/" + model).body();
        assertThat(html).contains("int4 · RTN", "int4 · GPTQ", "int4 · HQQ");
        // The chart's points (the variants with an evaluation and a benchmark) are labelled with the algorithm too.
        Matcher data = Pattern.compile("<script type=\"application/json\" id=\"variant-chart-data\">(.*?)</script>",
                Pattern.DOTALL).matcher(html);
        assertThat(data.find()).isTrue();
        List<String> labels = new ArrayList<>();
        HttpApi.JSON.readTree(data.group(1)).get("points").forEach(p -> labels.add(p.get("label").asString()));
        assertThat(labels).hasSize(2).anyMatch(l -> l.startsWith("int4 · GPTQ · "))
                .anyMatch(l -> l.startsWith("int4 · RTN · "));

        int table = html.indexOf("Algorithms compared");
        assertThat(table).as("the side-by-side comparison is on the model page").isPositive();
        assertThat(html.indexOf("Algorithms compared", table + 1)).as("the comparison appears once").isNegative();
        String comparison = html.substring(table);
        assertThat(comparison).contains("6.171", "6.202", "6.233", "0.0175", "0.0312", "KL divergence",
                "Latency p50", "/variants/" + gptq);
        // Best perplexity first: GPTQ, then HQQ, then RTN.
        assertThat(comparison.indexOf("6.171")).isLessThan(comparison.indexOf("6.202"));
        assertThat(comparison.indexOf("6.202")).isLessThan(comparison.indexOf("6.233"));

        String variantPage = viewer.get("/variants/" + gptq).body();
        assertThat(variantPage).contains("Algorithm", "GPTQ", "GPTQ dampening", "0.01");
    }

    @Test
    void variantsOfOneAlgorithmHaveNoComparisonTable() throws Exception {
        String model = maker.model(engineer, "language-model", "standard");
        maker.quantize(engineer, model, Map.of("method", "int4-weight"), Map.of());
        maker.quantize(engineer, model, "int8-dynamic");

        String html = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER")).get("/models/" + model).body();

        assertThat(html).contains("int4 · RTN").doesNotContain("Algorithms compared");
    }
}
