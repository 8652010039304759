package io.qreg.registry.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import io.qreg.registry.audit.AuditSigningKey;
import io.qreg.registry.audit.TreeHeadSigner;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.worker.audit.TreeHead;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;

/** Each signed tree head leaves the registry as the webhook audit.checkpoint: a copy outside its storage. */
class AuditCheckpointWebhookIT extends IntegrationTest {

    @Autowired
    TreeHeadSigner signer;
    @Autowired
    AuditSigningKey key;

    @RegisterExtension
    final WebhookReceivers receivers = new WebhookReceivers();

    @Test
    void aSignedHeadIsSentToSubscriptionsNamingAuditCheckpointOnlyAndItsSignatureHolds() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceiver named = receivers.subscription(engineer, "audit.checkpoint").receiver();
        WebhookReceiver everything = receivers.subscription(engineer, "*").receiver();

        TreeHead signed = signer.signNow().orElseThrow();

        WebhookReceiver.Received request = named.await(1, Duration.ofSeconds(15)).get(0);
        assertThat(request.header("X-QReg-Event")).isEqualTo("audit.checkpoint");
        JsonNode data = HttpApi.JSON.readTree(request.body()).get("data");
        TreeHead sent = new TreeHead(data.get("treeSize").asLong(), data.get("rootHash").asString(),
                Instant.parse(data.get("timestamp").asString()), data.get("signature").asString());
        assertThat(sent).isEqualTo(signed);
        assertThat(sent.verify(key.publicKey())).isTrue();
        assertThat(data.get("keyFingerprint").asString()).isEqualTo(key.fingerprint());
        Thread.sleep(500);
        assertThat(everything.received()).isEmpty();
    }
}
