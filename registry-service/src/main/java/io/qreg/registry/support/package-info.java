/** Small shared helpers with no feature of their own: canonical JSON and digests, aggregates' domain events. */
package io.qreg.registry.support;
