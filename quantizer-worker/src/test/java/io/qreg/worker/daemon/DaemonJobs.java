package io.qreg.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Jobs as the registry's claim answer sends them, and the artifacts they point at, for the daemon tests. */
final class DaemonJobs {

    static final String CHECKPOINT_URL = "/api/v1/checkpoints/ckpt-1/content";
    static final String DATASET_URL = "/api/v1/datasets/digits-calib/versions/1/content";
    static final String VARIANT_URL = "/api/v1/variants/v-1/content";

    private DaemonJobs() {
    }

    /** A QUANTIZE job of checkpoint ckpt-1 (served at {@link #CHECKPOINT_URL}) with a symmetric per-tensor recipe. */
    static Map<String, Object> quantizeJob(String id, String checkpointSha, String method,
            Map<String, Object> calibrationDataset) {
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("name", "int8");
        recipe.put("version", 1);
        recipe.put("hash", "abc");
        recipe.put("method", method);
        recipe.put("perChannel", false);
        recipe.put("symmetric", true);
        recipe.put("blockSize", null);
        recipe.put("calibrationMethod", "minmax");
        recipe.put("percentile", null);
        recipe.put("excludeNodes", List.of());
        recipe.put("excludeOpTypes", List.of());
        recipe.put("accuracyBudget", null);
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("id", id);
        job.put("type", "QUANTIZE");
        job.put("attempt", 1);
        job.put("leaseSeconds", 30);
        job.put("leaseExpiresAt", "2026-01-01T00:00:30Z");
        job.put("checkpoint", Map.of("id", "ckpt-1", "sha256", checkpointSha, "sizeBytes", 340691,
                "contentUrl", CHECKPOINT_URL));
        job.put("recipe", recipe);
        job.put("calibrationDataset", calibrationDataset);
        job.put("hardwareTarget", "any");
        return job;
    }

    /** The recipe of a job from {@link #quantizeJob}, to change a field of it. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> recipeOf(Map<String, Object> job) {
        return (Map<String, Object>) job.get("recipe");
    }

    /** A BENCHMARK job timing checkpoint ckpt-1 against variant v-1 ({@link #VARIANT_URL}), both on any hardware. */
    static Map<String, Object> benchmarkJob(String id, String checkpointSha, String variantSha) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("id", id);
        job.put("type", "BENCHMARK");
        job.put("attempt", 1);
        job.put("hardwareTarget", "any");
        job.put("variant", Map.of("id", "v-1", "sha256", variantSha, "contentUrl", VARIANT_URL));
        job.put("checkpoint", Map.of("id", "ckpt-1", "sha256", checkpointSha, "contentUrl", CHECKPOINT_URL));
        return job;
    }

    /** The calibration dataset digits-calib version 1: {@code samples}, an .npy file, served at {@link #DATASET_URL}. */
    static Map<String, Object> calibrationDataset(FakeRegistry registry, byte[] samples) {
        registry.artifact(DATASET_URL, samples);
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("name", "digits-calib");
        dataset.put("version", 1);
        dataset.put("sha256", FakeRegistry.sha256(samples));
        dataset.put("format", "npy");
        dataset.put("contentUrl", DATASET_URL);
        return dataset;
    }

    /** A file of src/test/resources/fixtures. */
    static byte[] fixture(String name) throws IOException {
        try (InputStream in = DaemonJobs.class.getResourceAsStream("/fixtures/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
