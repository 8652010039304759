/** Small shared helpers with no feature of their own: canonical JSON and digests. */
package io.qreg.registry.support;
