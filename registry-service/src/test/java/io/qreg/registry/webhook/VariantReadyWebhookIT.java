package io.qreg.registry.webhook;

import static io.qreg.registry.webhook.Webhooks.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.qreg.registry.job.JobTestSupport;
import io.qreg.registry.job.TestWorker;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import tools.jackson.databind.JsonNode;

/** variant.ready, end to end: a worker's accepted QUANTIZE result notifies the subscribers once. */
class VariantReadyWebhookIT extends JobTestSupport {

    @RegisterExtension
    final WebhookReceivers receivers = new WebhookReceivers();

    @Test
    void variantReadyIsSentOnceWhenAQuantizeResultIsAcceptedEvenIfTheWorkerRepeatsIt() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceiver receiver = receivers.subscription(engineer, "variant.ready").receiver();
        String jobId = submitQuantize(engineer);
        TestWorker worker = newWorker();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        // Not the checkpoint's own bytes: those quantized nothing, and the registry fails such a job.
        byte[] artifact = ("int8-dynamic variant of job " + jobId).getBytes(StandardCharsets.UTF_8);
        Map<String, Object> result = Map.of("engineVersion", "0.1.0-SNAPSHOT", "onnxRuntimeVersion", "1.23.2");

        String variantId = ok(worker.result(jobId, 1, "SUCCEEDED", result, artifact), 200).json()
                .get("variantId").asString();
        ok(worker.result(jobId, 1, "SUCCEEDED", result, artifact), 200);

        WebhookReceiver.Received request = receiver.await(1, Duration.ofSeconds(10)).get(0);
        Thread.sleep(600);
        assertThat(receiver.received()).hasSize(1);
        assertThat(request.header("X-QReg-Event")).isEqualTo("variant.ready");
        assertThat(Webhooks.signatureValid(request.header("X-QReg-Signature"), request.body(), SECRET)).isTrue();
        JsonNode payload = request.json();
        assertThat(payload.get("type").asString()).isEqualTo("variant.ready");
        assertThat(payload.get("subject").get("type").asString()).isEqualTo("variant");
        assertThat(payload.get("subject").get("id").asString()).isEqualTo(variantId);
        JsonNode data = payload.get("data");
        assertThat(data.get("variantId").asString()).isEqualTo(variantId);
        assertThat(data.get("jobId").asString()).isEqualTo(jobId);
        assertThat(data.get("modelName").asString())
                .isEqualTo(engineer.get("/api/v1/variants/" + variantId).json().get("modelName").asString());
        assertThat(data.get("method").asString()).isEqualTo("int8-dynamic");
        assertThat(data.get("sha256").asString()).isEqualTo(Fixtures.sha256(artifact));
        assertThat(data.get("sizeBytes").asLong()).isEqualTo(artifact.length);
    }

    @Test
    void aFailedQuantizeJobAnnouncesNoVariant() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceiver receiver = receivers.subscription(engineer, "*").receiver();
        String jobId = submitQuantize(engineer, "maxAttempts", 1);
        TestWorker worker = newWorker();
        ok(worker.claim("5s"), 200);

        ok(worker.result(jobId, 1, "FAILED", Map.of("error", "the graph has no MatMul", "retryable", false), null),
                200);
        Thread.sleep(600);

        assertThat(receiver.received()).isEmpty();
    }
}
