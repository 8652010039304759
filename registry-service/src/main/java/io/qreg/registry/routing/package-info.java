/**
 * The routing config gateways consume: its revisions (stored, ETagged, cached in memory and
 * long-polled), the Envoy and Gateway API renderings, gateways' acknowledgements, and the history
 * of what served each tier when.
 */
package io.qreg.registry.routing;
