package io.qreg.registry.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.recipe.RecipeView;
import io.qreg.registry.variant.VariantView;

import org.junit.jupiter.api.Test;

/** The model card's branches the end-to-end test does not reach: nothing approved, no evidence, odd names. */
class ModelCardTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aVariantWithoutEvidenceApprovalOrTermsSaysSoInsteadOfInventingThem() {
        String card = ModelCard.render(manifest(List.of(), null, null));

        assertThat(card).contains("No evaluation has been recorded.", "Policy verdict: **failed**",
                "Nowhere yet: no approval of this variant stands.", "Licence: not stated.",
                "Redistribution: not stated.", "Calibration dataset: none.", "Not reproduced yet");
    }

    @Test
    void sliceNamesCannotBreakTheTableAndEachSliceShowsItsChangeAgainstFp32() {
        VariantView.EvaluationView evaluation = new VariantView.EvaluationView(UUID.randomUUID(),
                Map.of("name", "eval", "version", 1), Map.of("accuracy", 0.95), Map.of("accuracy", 0.96),
                Map.of("accuracy", -0.01), Map.of("a|b", Map.of("samples", 10, "metrics", Map.of("accuracy", 0.9),
                        "deltas", Map.of("accuracy", -0.1))), 10L, null, AT, UUID.randomUUID(), null, null);

        String card = ModelCard.render(manifest(List.of(evaluation), "MIT", "allowed"));

        assertThat(card).contains("| accuracy | 0.9500 | 0.9600 | -0.0100 |", "| a\\|b | 10 | 0.9000 (-0.1000) |",
                "Licence: MIT.", "Redistribution: allowed.");
    }

    @Test
    void theOfflineCheckComparesTheModelsDigestWithTheManifests() {
        assertThat(ModelCard.offlineCheck("b.zip")).isEqualTo("test \"$(unzip -p b.zip model.onnx | sha256sum"
                + " | cut -d' ' -f1)\" = \"$(unzip -p b.zip manifest.json | jq -r .model.sha256)\" && echo verified");
    }

    private static BundleManifest manifest(List<VariantView.EvaluationView> evaluations, String license,
            String redistribution) {
        UUID checkpointId = UUID.randomUUID();
        VariantView variant = new VariantView(UUID.randomUUID(), "m", checkpointId, "ab".repeat(32), 10, "int8-dynamic",
                AT, "alice", Map.of("engineVersion", "1.0", "jobId", UUID.randomUUID().toString()), null,
                evaluations, List.of());
        ModelView model = new ModelView(UUID.randomUUID(), "m", "classification", null, "ml", "standard", AT, "alice",
                Archival.ACTIVE);
        CheckpointView checkpoint = new CheckpointView(checkpointId, "m", "1.0.0", "cd".repeat(32), 20, "20 B", 8, 17L,
                null, List.of(), List.of(), license, redistribution, null, null, AT, "alice", false);
        RecipeView recipe = new RecipeView(UUID.randomUUID(), "r", 1, "ef".repeat(32), "int8-dynamic", true, true,
                null, null, null, List.of(), List.of(), null, null, AT, "alice", null, null, null, null, null);
        return new BundleManifest(AT, variant, model, checkpoint, recipe, null, Map.of("passed", false),
                List.of(), List.of(), List.of());
    }
}
