package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.qreg.registry.rollout.RolloutTestSupport;

import org.junit.jupiter.api.Test;

/**
 * The approval page of a checkpoint served unquantized, over HTTP without JavaScript: it names the
 * checkpoint (not a variant), leaves out recipe and calibration, and shows the lapse once its policy fails.
 */
class CheckpointApprovalPortalIT extends RolloutTestSupport {

    @Test
    void aCheckpointApprovalPageNamesTheCheckpointAndShowsItsLapse() throws Exception {
        Model model = model("allowed");
        String d = deployment(model, List.of(tier("standard", "default", true)));
        String approval = approveCheckpoint(model.checkpointId(), d, "production", "standard").toString();
        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));

        var page = viewer.get("/approvals/" + approval);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Let <span>checkpoint</span>").contains("fp32, version 1.0.0")
                .doesNotContain("Recipe hash").contains("APPROVED");

        ok(admin().put("/api/v1/models/" + model.name() + "/policy", Map.of("maxAccuracyDrop", 0.02)), 200);
        var lapsed = viewer.get("/approvals/" + approval);

        assertThat(lapsed.body()).contains("LAPSED").contains("Lapsed: evaluated");
    }
}
