package io.qreg.registry.webhook;

import java.util.ArrayList;
import java.util.List;

import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * The receivers a test opens, closed after it, with every subscription and pending delivery it left retired: the
 * outbox is shared by the whole test context, so a subscription one test forgot would send the next test's events
 * to a closed port. Register it with {@code @RegisterExtension} in an integration test.
 */
final class WebhookReceivers implements AfterEachCallback {

    private final List<WebhookReceiver> open = new ArrayList<>();

    /** A subscription through the API and the receiver its URL points at. */
    record Subscription(String id, WebhookReceiver receiver) {
    }

    /** A receiver answering 200 to everything. */
    WebhookReceiver ok() {
        return kept(WebhookReceiver.ok());
    }

    /** A receiver answering {@code first} in turn, then {@code fallback}. */
    WebhookReceiver answering(int fallback, int... first) {
        return kept(WebhookReceiver.answering(fallback, first));
    }

    /** A receiver answering 200, subscribed by the engineer to the events, signed with {@link Webhooks#SECRET}. */
    Subscription subscription(HttpApi engineer, String... events) {
        WebhookReceiver receiver = ok();
        String id = Webhooks.subscribe(engineer, receiver.url(), List.of(events), Webhooks.SECRET).get("id").asString();
        return new Subscription(id, receiver);
    }

    private WebhookReceiver kept(WebhookReceiver receiver) {
        open.add(receiver);
        return receiver;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Webhooks.retireAll(SpringExtension.getApplicationContext(context).getBean(JdbcTemplate.class));
        open.forEach(WebhookReceiver::close);
        open.clear();
    }
}
