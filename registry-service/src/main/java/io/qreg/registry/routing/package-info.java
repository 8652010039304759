/**
 * The routing config gateways consume: its revisions (stored, ETagged, cached in memory and
 * long-polled), the Envoy and Gateway API renderings, gateways' acknowledgements, the history
 * of what served each tier when, and each low-confidence fallback's threshold on the stable
 * backend's selective-routing curve ({@link io.qreg.registry.routing.FallbackThresholds}).
 */
package io.qreg.registry.routing;
