package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import io.qreg.registry.job.JobTestSupport;
import io.qreg.registry.job.TestWorker;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The effective precision mix the engine reports, beside the method: in the variant API (full view and the
 * model's list) and on the model, compare and variant pages; a report without a mix shows the method alone.
 */
class PrecisionMixPortalIT extends JobTestSupport {

    private static final String LABEL = "int8-static · 3 of 5 layers · 9.8 bits/weight";

    /** A mix as an engine reports it when the accuracy budget kept two of five layers in float. */
    private static Map<String, Object> threeOfFive() {
        return Map.of(
                "layers", Map.of("int4", 0, "int8", 3, "fp16", 0, "fp32", 2, "total", 5),
                "parameters", Map.of("int4", 0, "int8", 70_000, "fp16", 0, "fp32", 10_000, "total", 80_000),
                "quantizedLayers", 3,
                "bitsPerWeight", 9.812);
    }

    /** Plays a worker through the real protocol; the engine's real report, its mix replaced (or dropped if null). */
    @SuppressWarnings("unchecked")
    private String variantWithMix(Map<String, Object> mix) throws Exception {
        String jobId = submitQuantize(userWith("ENGINEER"));
        TestWorker worker = newWorker();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        Path out = scratch.resolve("variant-" + jobId + ".onnx");
        Map<String, Object> result = new HashMap<>(quantizeFor(worker, claimed, out));
        Map<String, Object> report = new LinkedHashMap<>((Map<String, Object>) result.get("report"));
        assertThat(report).as("the real engine reports its mix").containsKey("precisionMix");
        if (mix == null) {
            report.remove("precisionMix");
        } else {
            report.put("precisionMix", mix);
        }
        result.put("report", report);
        return ok(worker.result(jobId, 1, "SUCCEEDED", result, Files.readAllBytes(out)), 200).json()
                .get("variantId").asString();
    }

    @Test
    void theVariantApiReturnsTheMixAndItsLabelAndTheMethodAloneWithoutOne() throws Exception {
        String mixed = variantWithMix(threeOfFive());
        String older = variantWithMix(null);

        JsonNode variant = ok(admin().get("/api/v1/variants/" + mixed), 200).json();
        assertThat(variant.get("precisionLabel").asString()).isEqualTo("int8-dynamic · 3 of 5 layers · 9.8 bits/weight");
        assertThat(variant.get("precisionMix").get("layers").get("fp32").asInt()).isEqualTo(2);
        assertThat(variant.get("precisionMix").get("quantizedLayers").asInt()).isEqualTo(3);
        assertThat(variant.get("precisionMix").get("bitsPerWeight").asDouble()).isEqualTo(9.812);

        JsonNode plain = ok(admin().get("/api/v1/variants/" + older), 200).json();
        assertThat(plain.get("precisionMix").isNull()).isTrue();
        assertThat(plain.get("precisionLabel").asString()).isEqualTo("int8-dynamic");

        JsonNode list = ok(admin().get("/api/v1/models/" + registered().model() + "/variants?size=100"), 200).json();
        Map<String, String> labels = new HashMap<>();
        list.get("items").forEach(v -> labels.put(v.get("id").asString(), v.get("precisionLabel").asString()));
        assertThat(labels).containsEntry(mixed, "int8-dynamic · 3 of 5 layers · 9.8 bits/weight")
                .containsEntry(older, "int8-dynamic");
    }

    @Test
    void aVariantFromTheRealEngineCarriesItsOwnMix() throws Exception {
        String jobId = submitQuantize(userWith("ENGINEER"));
        TestWorker worker = newWorker();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        Path out = scratch.resolve("real-" + jobId + ".onnx");
        String id = ok(worker.result(jobId, 1, "SUCCEEDED", quantizeFor(worker, claimed, out),
                Files.readAllBytes(out)), 200).json().get("variantId").asString();

        JsonNode variant = ok(admin().get("/api/v1/variants/" + id), 200).json();
        // digits_mlp's three Gemms in int8, one float32 scale each.
        assertThat(variant.get("precisionLabel").asString()).isEqualTo("int8-dynamic · 3 of 3 layers · 8.0 bits/weight");
        assertThat(variant.get("precisionMix").get("parameters").get("int8").asLong()).isEqualTo(84_480);
    }

    @Test
    void theModelCompareAndVariantPagesShowTheLabelBesideTheMethod() throws Exception {
        String mixed = variantWithMix(threeOfFive());
        String older = variantWithMix(null);
        String label = "int8-dynamic · 3 of 5 layers · 9.8 bits/weight";
        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));

        String model = viewer.get("/models/" + registered().model()).body();
        String row = model.substring(model.indexOf("id=\"variant-" + mixed + "\""));
        row = row.substring(0, row.indexOf("</tr>"));
        // The whole label as the cell's title, the mix on its own smaller line, effective bits in the Bits column.
        assertThat(row).contains("title=\"" + label + "\"", "<span>int8-dynamic</span>",
                ">3 of 5 layers · 9.8 bits/weight</span>", ">9.8</td>");
        String plainRow = model.substring(model.indexOf("id=\"variant-" + older + "\""));
        plainRow = plainRow.substring(0, plainRow.indexOf("</tr>"));
        assertThat(plainRow).contains("title=\"int8-dynamic\"").doesNotContain("layers ·");

        String page = viewer.get("/variants/" + mixed).body();
        assertThat(page).contains("<dt>Method</dt><dd>" + label + "</dd>", "<dt>Bits per weight</dt><dd>9.8</dd>")
                .contains("title=\"" + label + "\"").doesNotContain("(8-bit)");

        String compare = viewer.get("/models/" + registered().model() + "/compare?a=" + older + "&b=" + mixed).body();
        assertThat(compare).contains("title=\"" + label + "\"", "title=\"int8-dynamic\"")
                .contains(">Bits per weight<", "<td>8</td>", "<td>9.8</td>", "<td>" + label + "</td>");

        FormSession engineer = FormSession.signedIn(port, FormSession.person(admin(), "ENGINEER"));
        String request = engineer.get("/approvals/new?variantId=" + mixed).body();
        assertThat(request).contains("<dt>Method</dt><dd>" + label + "</dd>");
    }
}
