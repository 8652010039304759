/**
 * Webhooks: subscriptions, the transactional outbox other features enqueue events into, and the
 * dispatcher that delivers them as HMAC-signed HTTP POSTs with retries.
 */
package io.qreg.registry.webhook;
