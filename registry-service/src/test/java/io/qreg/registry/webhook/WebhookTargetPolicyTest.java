package io.qreg.registry.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import io.qreg.registry.web.ApiException;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** The policy against a resolver whose answers change between calls, as a rebinding DNS server's do. */
class WebhookTargetPolicyTest {

    private static final URI HOOK = URI.create("https://hooks.example.com/qreg");

    /** Answers with the next scripted address on each call, repeating the last one. */
    private static HostResolver rebinding(String... literals) {
        Deque<String> answers = new ArrayDeque<>(List.of(literals));
        return host -> {
            String next = answers.size() > 1 ? answers.poll() : answers.peek();
            return List.of(InetAddress.getByName(next));
        };
    }

    private static WebhookSettings settings(boolean allowPrivate) {
        return new WebhookSettings(null, null, 0, null, null, null, 0, allowPrivate, null);
    }

    @Test
    void aNameThatResolvedOutsideAtCreationAndInsideLaterIsRefusedAtDelivery() {
        WebhookTargetPolicy policy = new WebhookTargetPolicy(settings(false), rebinding("93.184.215.14", "127.0.0.1"));

        assertThatCode(() -> policy.checkNewTarget(HOOK)).doesNotThrowAnyException();
        assertThatThrownBy(() -> policy.checkBeforeDelivery(HOOK))
                .isInstanceOf(WebhookTargetPolicy.BlockedTargetException.class)
                .hasMessageContaining("loopback");
    }

    @Test
    void aNameWithOneInsideAddressAmongPublicOnesIsRefused() {
        HostResolver mixed = host -> List.of(InetAddress.getByName("93.184.215.14"),
                InetAddress.getByName("10.0.0.7"));
        WebhookTargetPolicy policy = new WebhookTargetPolicy(settings(false), mixed);

        assertThatThrownBy(() -> policy.checkNewTarget(HOOK)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
            assertThat(e.field()).isEqualTo("url");
        });
    }

    @Test
    void aNameThatDoesNotResolveYetIsAcceptedAtCreationAndFailsAtDelivery() {
        HostResolver nowhere = host -> {
            throw new UnknownHostException(host);
        };
        WebhookTargetPolicy policy = new WebhookTargetPolicy(settings(false), nowhere);

        assertThatCode(() -> policy.checkNewTarget(HOOK)).doesNotThrowAnyException();
        assertThatThrownBy(() -> policy.checkBeforeDelivery(HOOK)).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void theSwitchAllowsInsideTargetsWithoutResolvingAnything() {
        HostResolver unused = host -> {
            throw new AssertionError("resolved " + host);
        };
        WebhookTargetPolicy policy = new WebhookTargetPolicy(settings(true), unused);

        assertThatCode(() -> policy.checkNewTarget(URI.create("http://127.0.0.1:5432/"))).doesNotThrowAnyException();
        assertThatCode(() -> policy.checkBeforeDelivery(URI.create("http://[::1]/"))).doesNotThrowAnyException();
    }
}
