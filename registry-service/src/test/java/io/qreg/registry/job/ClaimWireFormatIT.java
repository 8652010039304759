package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The claim response's bytes, pinned: captured from the registry before its bodies became the worker's protocol
 * records, so that change (and any later one) cannot alter field names, nesting or which nulls are sent. Ids,
 * digests and times vary per run and are masked as {@code <uuid>}, {@code <sha256>} and {@code <time>}; everything else
 * is compared exactly.
 */
class ClaimWireFormatIT extends JobTestSupport {

    @Test
    void aQuantizeClaimCarriesTheRecipeWithEveryFieldAndANullCalibrationDatasetAndItsHeartbeatReplyTwoMembers() {
        HttpApi engineer = userWith("ENGINEER");
        submitQuantize(engineer);
        TestWorker worker = newWorker();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(names(claimed)).containsExactly("id", "type", "attempt", "leaseSeconds", "leaseExpiresAt",
                "heartbeatSeconds", "checkpoint", "recipe", "calibrationDataset", "hardwareTarget");
        JsonNode beat = ok(worker.heartbeat(claimed.get("id").asString(), 1, 0.5, "quantizing"), 200).json();
        assertThat(normalized(beat)).isEqualTo(HttpApi.JSON.readTree(
                "{\"leaseExpiresAt\":\"<time>\",\"cancelRequested\":false}"));
        assertThat(names(beat)).containsExactly("leaseExpiresAt", "cancelRequested");
        assertThat(names(claimed.get("recipe"))).containsExactly("name", "version", "hash", "method", "perChannel",
                "symmetric", "blockSize", "calibrationMethod", "percentile", "excludeNodes", "excludeOpTypes",
                "accuracyBudget", "algorithm", "gptqDamp", "actOrder", "smoothQuantAlpha", "targetBitsPerWeight");
        assertThat(normalized(claimed)).isEqualTo(json("""
                {"id":"<uuid>","type":"QUANTIZE","attempt":1,"leaseSeconds":30,"leaseExpiresAt":"<time>",
                 "heartbeatSeconds":10,
                 "checkpoint":{"id":"<uuid>","sha256":"<sha256>","sizeBytes":SIZE,
                               "contentUrl":"/api/v1/checkpoints/<uuid>/content"},
                 "recipe":{"name":"RECIPE","version":1,"hash":"<sha256>","method":"int8-dynamic","perChannel":false,
                           "symmetric":true,"blockSize":null,"calibrationMethod":null,"percentile":null,
                           "excludeNodes":[],"excludeOpTypes":[],"accuracyBudget":null,"algorithm":null,
                           "gptqDamp":null,"actOrder":null,"smoothQuantAlpha":null,"targetBitsPerWeight":null},
                 "calibrationDataset":null,"hardwareTarget":"any"}
                """, claimed));
    }

    @Test
    void aQuantizeClaimWithCalibrationCarriesTheDatasetReference() {
        HttpApi engineer = userWith("ENGINEER");
        Registered r = registered();
        submitQuantize(engineer, "calibrationDataset", Map.of("name", r.calibration(), "version", 1));
        JsonNode claimed = ok(newWorker().claim("5s"), 200).json();
        assertThat(names(claimed.get("calibrationDataset"))).containsExactly("name", "version", "sha256", "format",
                "contentUrl", "hasLabels", "hasSlices");
        assertThat(normalized(claimed.get("calibrationDataset"))).isEqualTo(json("""
                {"name":"CALIBRATION","version":1,"sha256":"<sha256>","format":"npy",
                 "contentUrl":"/api/v1/datasets/CALIBRATION/versions/1/content","hasLabels":false,"hasSlices":false}
                """, claimed));
    }

    @Test
    void evaluateAndBenchmarkClaimsCarryTheVariantTheDatasetAndTheTask() {
        HttpApi engineer = userWith("ENGINEER");
        Registered r = registered();
        String variantId = producedVariant(engineer);
        ok(engineer.post("/api/v1/jobs", Map.of("type", "EVALUATE", "variantId", variantId,
                "dataset", Map.of("name", r.evaluation(), "version", 1))), 202);
        JsonNode evaluate = ok(newWorker().claim("5s"), 200).json();
        assertThat(names(evaluate)).containsExactly("id", "type", "attempt", "leaseSeconds", "leaseExpiresAt",
                "heartbeatSeconds", "checkpoint", "variant", "dataset", "task", "hardwareTarget");
        assertThat(normalized(evaluate)).isEqualTo(json("""
                {"id":"<uuid>","type":"EVALUATE","attempt":1,"leaseSeconds":30,"leaseExpiresAt":"<time>",
                 "heartbeatSeconds":10,
                 "checkpoint":{"id":"<uuid>","sha256":"<sha256>","sizeBytes":SIZE,
                               "contentUrl":"/api/v1/checkpoints/<uuid>/content"},
                 "variant":{"id":"<uuid>","sha256":"<sha256>","sizeBytes":VSIZE,
                            "contentUrl":"/api/v1/variants/<uuid>/content","method":"int8-dynamic"},
                 "dataset":{"name":"EVALUATION","version":1,"sha256":"<sha256>","format":"zip",
                            "contentUrl":"/api/v1/datasets/EVALUATION/versions/1/content","hasLabels":true,
                            "hasSlices":false},
                 "task":"classification","hardwareTarget":"any"}
                """, evaluate));

        ok(engineer.post("/api/v1/jobs", Map.of("type", "BENCHMARK", "variantId", variantId)), 202);
        JsonNode benchmark = ok(newWorker().claim("5s"), 200).json();
        assertThat(names(benchmark)).containsExactly("id", "type", "attempt", "leaseSeconds", "leaseExpiresAt",
                "heartbeatSeconds", "checkpoint", "variant", "hardwareTarget");
        assertThat(normalized(benchmark.get("variant"))).isEqualTo(normalized(evaluate.get("variant")));
        assertThat(benchmark.get("hardwareTarget").asString()).isEqualTo("any");
    }

    @Test
    void theRegistrationReplyIsTheIdAndWholeSecondsOfLeaseAndHeartbeat() {
        // Both sides now share the protocol's RegistrationReply; its decimal heartbeat must still travel as 10.
        HttpApi.Reply registered = userWith("WORKER").post("/api/v1/workers/register", Map.of("name", "wire-format",
                "hardwareProfile", Map.of("os", "Linux", "arch", "amd64", "flags", List.of("avx2"))));
        assertThat(registered.status()).isEqualTo(201);
        assertThat(masked(registered.body()))
                .isEqualTo("{\"id\":\"<uuid>\",\"leaseSeconds\":30,\"heartbeatSeconds\":10}");
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }

    /** The expected document, with the sizes and names this run registered filled in. */
    private JsonNode json(String template, JsonNode claimed) {
        Registered r = registered();
        String text = template.replace("RECIPE", r.recipe()).replace("CALIBRATION", r.calibration())
                .replace("EVALUATION", r.evaluation())
                .replace("VSIZE", claimed.has("variant") ? claimed.get("variant").get("sizeBytes").asString() : "0")
                .replace("SIZE", claimed.get("checkpoint") == null ? "0"
                        : claimed.get("checkpoint").get("sizeBytes").asString());
        return HttpApi.JSON.readTree(text);
    }

    /** The body as a tree, masked (see {@link #masked}). */
    private static JsonNode normalized(JsonNode node) {
        return HttpApi.JSON.readTree(masked(node.toString()));
    }

    /** The JSON text with each id, sha256 and timestamp masked (they differ on every run), the rest as sent. */
    private static String masked(String json) {
        return json.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")
                .replaceAll("\"[0-9a-f]{64}\"", "\"<sha256>\"")
                .replaceAll("\"\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\"", "\"<time>\"");
    }
}
