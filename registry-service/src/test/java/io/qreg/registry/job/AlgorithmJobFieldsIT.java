package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.qreg.registry.support.Bodies;
import io.qreg.registry.support.HttpApi;
import io.qreg.worker.daemon.WorkerDaemon;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The issue-13 recipe fields on QUANTIZE jobs: refused at submission without the calibration data they need (naming
 * calibrationDataset, no job stored), carried to the worker in the assignment, and a bits-per-weight target run for
 * real by the worker daemon: within the target, or FAILED with the engine's reason when it cannot be met.
 */
class AlgorithmJobFieldsIT extends JobTestSupport {

    private String recipe(Object... fields) {
        String name = unique("alg");
        ok(admin().post("/api/v1/recipes", Bodies.with(Map.of("name", name, "method", "int4-weight"), fields)), 201);
        return name;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"algorithm,gptq,uses algorithm gptq", "algorithm,awq,uses algorithm awq",
            "targetBitsPerWeight,5.5,sets targetBitsPerWeight"})
    void aRecipeThatNeedsCalibrationDataIsRefusedWithoutItNamingTheField(String field, String value, String why) {
        Object parsed = field.equals("algorithm") ? value : Double.parseDouble(value);
        String name = recipe(field, parsed);
        long jobs = jdbc.queryForObject("select count(*) from job", Long.class);

        HttpApi.Reply reply = userWith("ENGINEER").post("/api/v1/jobs",
                quantizeRequest("recipe", Map.of("name", name, "version", 1)));

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("field").asString()).isEqualTo("calibrationDataset");
        assertThat(reply.json().get("detail").asString()).contains(why).contains("calibrationDataset");
        assertThat(jdbc.queryForObject("select count(*) from job", Long.class)).isEqualTo(jobs);
    }

    @Test
    void theAssignmentCarriesTheAlgorithmAndItsSettings() {
        String name = recipe("algorithm", "gptq", "gptqDamp", 0.05, "actOrder", true, "symmetric", true);
        String jobId = submitQuantize(userWith("ENGINEER"), "recipe", Map.of("name", name, "version", 1),
                "calibrationDataset", Map.of("name", registered().calibration(), "version", 1));

        JsonNode claimed = ok(newWorker().claim("5s"), 200).json();

        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        JsonNode recipe = claimed.get("recipe");
        assertThat(recipe.get("algorithm").asString()).isEqualTo("gptq");
        assertThat(recipe.get("gptqDamp").asDouble()).isEqualTo(0.05);
        assertThat(recipe.get("actOrder").asBoolean()).isTrue();
        assertThat(recipe.get("targetBitsPerWeight").isNull()).isTrue();
        assertThat(recipe.get("smoothQuantAlpha").isNull()).isTrue();
    }

    @Test
    void theWorkerWritesAMixWithinTheTargetOrFailsTheJobNamingTheField() throws Exception {
        String within = recipe("targetBitsPerWeight", 6.0);
        String below = recipe("targetBitsPerWeight", 3.0);
        Map<String, Object> calibration = Map.of("name", registered().calibration(), "version", 1);
        HttpApi engineer = userWith("ENGINEER");
        String good = submitQuantize(engineer, "recipe", Map.of("name", within, "version", 1),
                "calibrationDataset", calibration);
        String bad = submitQuantize(engineer, "recipe", Map.of("name", below, "version", 1),
                "calibrationDataset", calibration);

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        WorkerDaemon daemon = startDaemon(log);
        JsonNode done;
        JsonNode failed;
        try {
            done = awaitFinished(good, Duration.ofMinutes(3));
            failed = awaitFinished(bad, Duration.ofMinutes(3));
        } finally {
            daemon.stop(Duration.ofSeconds(5));
        }

        assertThat(done.get("status").asString()).as(done + "\n" + log.toString(StandardCharsets.UTF_8))
                .isEqualTo("SUCCEEDED");
        JsonNode variant = engineer.get("/api/v1/variants/" + done.get("variantId").asString()).json();
        assertThat(variant.get("precisionMix").get("bitsPerWeight").asDouble()).isLessThanOrEqualTo(6.0);
        assertThat(variant.get("lineage").get("recipe").get("algorithm").asString()).isEqualTo("rtn");
        assertThat(variant.get("report").get("notes").toString()).contains("mixed precision to at most 6.0");
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("error").asString()).contains("targetBitsPerWeight")
                .contains("below what the cheapest mix takes");
        assertThat(failed.get("variantId").isNull()).isTrue();
    }
}
