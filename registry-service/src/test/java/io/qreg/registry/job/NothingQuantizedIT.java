package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** A QUANTIZE attempt that reports success but quantized nothing fails the job and records no variant. */
class NothingQuantizedIT extends JobTestSupport {

    @Test
    void anArtifactByteIdenticalToTheCheckpointFailsTheJobWithoutRetriesAndWithoutAVariant() {
        Registered r = registered();
        String jobId = submitQuantize(userWith("ENGINEER"), "maxAttempts", 3, "followUps",
                List.of(Map.of("type", "BENCHMARK")));
        TestWorker worker = newWorker();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        byte[] checkpoint = Fixtures.bytes("digits_mlp.onnx");
        assertThat(Fixtures.sha256(checkpoint)).isEqualTo(claimed.get("checkpoint").get("sha256").asString());
        Map<String, Object> result = Map.of("report", Map.of("layers", List.of()), "sha256",
                Fixtures.sha256(checkpoint), "sizeBytes", checkpoint.length);

        HttpApi.Reply reply = ok(worker.result(jobId, 1, "SUCCEEDED", result, checkpoint), 200);
        assertThat(reply.json().get("status").asString()).isEqualTo("FAILED");
        assertThat(reply.json().get("variantId").isNull()).isTrue();
        assertThat(reply.json().get("followUpJobIds")).isEmpty();
        assertThat(ok(worker.result(jobId, 1, "SUCCEEDED", result, checkpoint), 200).json())
                .as("a repeat answers alike").isEqualTo(reply.json());

        JsonNode job = admin().get("/api/v1/jobs/" + jobId).json();
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        assertThat(job.get("attempts").asInt()).as("not retried").isEqualTo(1);
        assertThat(job.get("error").asString()).isEqualTo("nothing was quantized: the artifact is byte-identical to"
                + " checkpoint " + r.model() + "@1.0.0");
        assertThat(job.get("followUpJobIds")).isEmpty();
        assertThat(jdbc.queryForObject("select count(*) from variant where job_id = ?::uuid", Integer.class, jobId))
                .isZero();
        assertThat(worker.claim("0").status()).as("nothing re-queued").isEqualTo(204);
    }

    @Test
    void aReportThatCountsNoQuantizedLayerFailsTheJob() throws Exception {
        String jobId = submitQuantize(userWith("ENGINEER"));

        assertThat(reportSucceededCounting(jobId, 0).get("status").asString()).isEqualTo("FAILED");
        JsonNode job = admin().get("/api/v1/jobs/" + jobId).json();
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        assertThat(job.get("error").asString()).startsWith("nothing was quantized: 0 of 3 layers");
        assertThat(jdbc.queryForObject("select count(*) from variant where job_id = ?::uuid", Integer.class, jobId))
                .isZero();
    }

    @Test
    void aReportThatCountsQuantizedLayersStillMakesAVariant() throws Exception {
        JsonNode reply = reportSucceededCounting(submitQuantize(userWith("ENGINEER")), 2);
        assertThat(reply.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(reply.get("variantId").isNull()).isFalse();
    }

    /**
     * Claims the job as a new worker, quantizes its checkpoint for real and reports SUCCEEDED with a report counting
     * {@code quantizedLayers} of the model's 3 layers in int8; returns the registry's answer.
     */
    private JsonNode reportSucceededCounting(String jobId, int quantizedLayers) throws Exception {
        TestWorker worker = newWorker();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        Path out = scratch.resolve("quantized-" + quantizedLayers + ".onnx");
        Map<String, Object> result = withPrecisionMix(quantizeFor(worker, claimed, out), quantizedLayers);
        return ok(worker.result(jobId, 1, "SUCCEEDED", result, Files.readAllBytes(out)), 200).json();
    }

    /** The result with the report's {@code precisionMix} as the engine reports it: 3 layers, n of them int8. */
    private static Map<String, Object> withPrecisionMix(Map<String, Object> result, int quantizedLayers) {
        @SuppressWarnings("unchecked")
        Map<String, Object> report = new HashMap<>((Map<String, Object>) result.get("report"));
        Map<String, Object> layers = Map.of("int4", 0, "int8", quantizedLayers, "fp16", 0,
                "fp32", 3 - quantizedLayers, "total", 3);
        report.put("precisionMix", Map.of("layers", layers, "parameters", layers,
                "quantizedLayers", quantizedLayers, "bitsPerWeight", quantizedLayers == 0 ? 32.0 : 16.0));
        Map<String, Object> changed = new HashMap<>(result);
        changed.put("report", report);
        return changed;
    }
}
