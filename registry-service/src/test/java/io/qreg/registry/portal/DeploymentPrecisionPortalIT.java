package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.job.TestWorker;
import io.qreg.registry.rollout.RolloutTestSupport;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** The deployment page names what each serving variant really stores, beside the tier's precision. */
class DeploymentPrecisionPortalIT extends RolloutTestSupport {

    /** A variant whose engine report says the accuracy budget kept two of its five layers in float32. */
    private String variantWithMix(Model model) {
        String recipe = unique("r-static");
        ok(admin().post("/api/v1/recipes", Map.of("name", recipe, "method", "int8-dynamic")), 201);
        String jobId = ok(engineer().post("/api/v1/jobs", Map.of("type", "QUANTIZE", "checkpointId",
                model.checkpointId(), "recipe", Map.of("name", recipe, "version", 1))), 202).json().get("id")
                .asString();
        TestWorker worker = TestWorker.register(userWith("WORKER"), Map.of(), List.of());
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        Map<String, Object> mix = Map.of(
                "layers", Map.of("int4", 0, "int8", 3, "fp16", 0, "fp32", 2, "total", 5),
                "parameters", Map.of("int4", 0, "int8", 70_000, "fp16", 0, "fp32", 10_000, "total", 80_000),
                "quantizedLayers", 3, "bitsPerWeight", 9.812);
        return ok(worker.result(jobId, claimed.get("attempt").asInt(), "SUCCEEDED",
                Map.of("report", Map.of("method", "int8-dynamic", "precisionMix", mix)),
                ("mix-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)), 200).json().get("variantId")
                .asString();
    }

    @Test
    void theTiersWeightBarAndTheRolloutHistoryShowTheVariantsPrecisionLabel() throws Exception {
        Model model = model("allowed");
        String deployment = deployment(model, List.of(tier("standard", "default", true)));
        String variant = variantWithMix(model);
        makeStable(deployment, variant, "production", "standard");

        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        String html = viewer.get("/deployments/" + deployment + "?environment=production").body();
        String tier = html.substring(html.indexOf("id=\"tier-standard\""));
        tier = tier.substring(0, tier.indexOf("</article>"));
        assertThat(tier).contains("href=\"/variants/" + variant + "\"",
                ">int8-dynamic · 3 of 5 layers · 9.8 bits/weight</span>");
        // The rollout that made it stable, in the environment's rollout history, names its mix too.
        String history = html.substring(html.indexOf("id=\"recent-heading\""));
        history = history.substring(0, history.indexOf("</table>"));
        assertThat(history).contains("href=\"/variants/" + variant + "\"",
                ">int8-dynamic · 3 of 5 layers · 9.8 bits/weight</span>");
    }
}
