package io.qreg.registry.webhook;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;

import io.qreg.registry.web.ApiException;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Keeps webhooks out of the registry's own network: a receiver whose host resolves to a
 * {@link BlockedAddresses blocked} address is refused when the subscription is created, and again
 * before every delivery attempt, after a fresh resolution, since a name that pointed outside at
 * creation may point inside later (DNS rebinding). The HTTP client then connects through the same
 * JVM resolver and its cache, so it uses the address just checked. Off with
 * {@code QREG_WEBHOOK_ALLOW_PRIVATE=true}.
 */
@Component
class WebhookTargetPolicy {

    static final String REFUSED = "the receiver's address is inside the registry's network (loopback, link-local,"
            + " private, unique-local or multicast), where webhooks may not be delivered unless"
            + " QREG_WEBHOOK_ALLOW_PRIVATE=true";

    /** A target the policy refuses; its message names the range, never anything learned by connecting. */
    static final class BlockedTargetException extends Exception {
        BlockedTargetException(String message) {
            super(message);
        }
    }

    private final boolean allowPrivate;
    private final HostResolver resolver;

    WebhookTargetPolicy(WebhookSettings settings, HostResolver resolver) {
        this.allowPrivate = settings.allowPrivate();
        this.resolver = resolver;
    }

    /**
     * 422 naming {@code url} when the host resolves to a blocked address. A host that does not
     * resolve yet is accepted: it reaches nothing now, and every delivery checks it again.
     */
    void checkNewTarget(URI url) {
        try {
            checkBeforeDelivery(url);
        } catch (BlockedTargetException e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "url '" + url.getHost() + "': "
                    + e.getMessage(), "url");
        } catch (UnknownHostException e) {
            // accepted, see above
        }
    }

    /** Resolves the host now and refuses it when any of its addresses is blocked. */
    void checkBeforeDelivery(URI url) throws BlockedTargetException, UnknownHostException {
        if (allowPrivate) {
            return;
        }
        for (InetAddress address : resolver.resolve(url.getHost())) {
            Optional<String> range = BlockedAddresses.rangeOf(address);
            if (range.isPresent()) {
                throw new BlockedTargetException(REFUSED + " (" + range.get() + ")");
            }
        }
    }
}
