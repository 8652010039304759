package io.qreg.registry.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.qreg.registry.rollout.RolloutTestSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import tools.jackson.databind.JsonNode;

/**
 * A lapse reaches the people on call: when new evidence fails the policy of an approval a backend
 * serves under, a signed {@code approval.lapsed} webhook names the approval, its target and the
 * failing checks.
 */
class ApprovalLapsedWebhookIT extends RolloutTestSupport {

    @RegisterExtension
    final WebhookReceivers receivers = new WebhookReceivers();

    @Test
    void aLapsedApprovalIsAnnouncedOnceWithItsTargetAndFailingChecks() throws Exception {
        Model model = model("allowed");
        ok(admin().put("/api/v1/models/" + model.name() + "/policy", Map.of("minSpeedup", 1.5)), 200);
        String d = deployment(model, List.of(tier("standard", "default", true)));
        String variant = variant(model, "int8-dynamic");
        addBenchmark(variant, 2.0);
        String approvalId = makeStable(d, variant, "production", "standard").get("approvalId").asString();
        WebhookReceiver receiver = receivers.subscription(engineer(), "approval.lapsed").receiver();

        addBenchmark(variant, 1.0);

        WebhookReceiver.Received request = receiver.await(1, Duration.ofSeconds(15)).get(0);
        assertThat(request.header("X-QReg-Event")).isEqualTo("approval.lapsed");
        assertThat(Webhooks.signatureValid(request.header("X-QReg-Signature"), request.body(), Webhooks.SECRET))
                .isTrue();
        JsonNode payload = request.json();
        assertThat(payload.get("subject").get("type").asString()).isEqualTo("approval");
        assertThat(payload.get("subject").get("id").asString()).isEqualTo(approvalId);
        JsonNode data = payload.get("data");
        assertThat(data.get("variantId").asString()).isEqualTo(variant);
        assertThat(data.get("deployment").asString()).isEqualTo(d);
        assertThat(data.get("environment").asString()).isEqualTo("production");
        assertThat(data.get("tier").asString()).isEqualTo("standard");
        assertThat(data.get("failedChecks").toString()).contains("minSpeedup");
        Thread.sleep(600);
        assertThat(receiver.received()).hasSize(1);
    }
}
