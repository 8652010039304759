package io.qreg.registry.webhook;

import static io.qreg.registry.webhook.Webhooks.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import tools.jackson.databind.JsonNode;

/** A subscription belongs to its creator: other ENGINEERs cannot see, test or delete it; ADMINs can. */
class WebhookOwnershipIT extends IntegrationTest {

    // Opens no receiver: it retires the subscriptions each test makes, so none outlives its test.
    @RegisterExtension
    final WebhookReceivers receivers = new WebhookReceivers();

    private static String username(HttpApi api) {
        return api.get("/api/v1/me").json().get("username").asString();
    }

    private static List<String> listedIds(HttpApi api) {
        HttpApi.Reply reply = api.get("/api/v1/webhooks?size=200");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        reply.json().get("items").forEach(item -> ids.add(item.get("id").asString()));
        return ids;
    }

    @Test
    void anEngineerListsAndReadsOnlyTheirOwnSubscriptionsWithTheirNameAsOwner() {
        HttpApi alice = userWith("ENGINEER");
        HttpApi bob = userWith("ENGINEER");
        JsonNode alices = Webhooks.subscribe(alice, "https://ci.example.com/hooks/alice?token=a1", List.of("*"),
                SECRET);
        JsonNode bobs = Webhooks.subscribe(bob, "https://ci.example.com/hooks/bob?token=b2", List.of("*"), SECRET);
        String aliceId = alices.get("id").asString();
        String bobId = bobs.get("id").asString();

        assertThat(alices.get("owner").asString()).isEqualTo(username(alice));
        assertThat(listedIds(alice)).containsExactly(aliceId);
        assertThat(listedIds(bob)).containsExactly(bobId);
        assertThat(bob.get("/api/v1/webhooks?size=200").body()).doesNotContain("token=a1");
        assertThat(alice.get("/api/v1/webhooks/" + aliceId).json().get("owner").asString())
                .isEqualTo(username(alice));
        assertThat(listedIds(admin())).contains(aliceId, bobId);
        assertThat(admin().get("/api/v1/webhooks/" + bobId).status()).isEqualTo(200);
    }

    @Test
    void anotherEngineersSubscriptionAnswers404ToEveryActionAndStaysUntouched() {
        HttpApi alice = userWith("ENGINEER");
        HttpApi mallory = userWith("ENGINEER");
        String aliceId = Webhooks.subscribe(alice, "https://ci.example.com/hooks/alice", List.of("*"), SECRET)
                .get("id").asString();
        long deliveriesBefore = jdbc.queryForObject("select count(*) from webhook_delivery", Long.class);

        for (HttpApi.Reply reply : List.of(mallory.get("/api/v1/webhooks/" + aliceId),
                mallory.get("/api/v1/webhooks/" + aliceId + "/deliveries"),
                mallory.post("/api/v1/webhooks/" + aliceId + "/test", ""),
                mallory.delete("/api/v1/webhooks/" + aliceId))) {
            // 404 as for an id that does not exist, so ids of others' subscriptions cannot be confirmed.
            assertThat(reply.status()).as(reply.body()).isEqualTo(404);
            assertThat(reply.isProblem()).isTrue();
        }

        assertThat(jdbc.queryForObject("select deleted_at is null from webhook_subscription where id = ?::uuid",
                Boolean.class, aliceId)).isTrue();
        assertThat(jdbc.queryForObject("select count(*) from webhook_delivery", Long.class))
                .as("mallory's ping queued nothing").isEqualTo(deliveriesBefore);
        assertThat(jdbc.queryForObject("select count(*) from audit_event where subject_id = ?"
                + " and action in ('webhook.deleted', 'webhook.tested')", Long.class, aliceId)).isZero();
        assertThat(alice.get("/api/v1/webhooks/" + aliceId).status()).isEqualTo(200);
    }

    @Test
    void anAdminDeletesAnyonesSubscriptionAndTheDeletionIsAudited() {
        HttpApi alice = userWith("ENGINEER");
        String aliceId = Webhooks.subscribe(alice, "https://ci.example.com/hooks/alice", List.of("*"), SECRET)
                .get("id").asString();

        HttpApi.Reply deleted = admin().delete("/api/v1/webhooks/" + aliceId);

        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(alice.get("/api/v1/webhooks/" + aliceId).status()).isEqualTo(404);
        assertThat(jdbc.queryForObject("select deleted_by from webhook_subscription where id = ?::uuid",
                String.class, aliceId)).isEqualTo("admin");
        assertThat(jdbc.queryForObject("select actor from audit_event where subject_id = ?"
                + " and action = 'webhook.deleted'", String.class, aliceId)).isEqualTo("admin");
    }
}
