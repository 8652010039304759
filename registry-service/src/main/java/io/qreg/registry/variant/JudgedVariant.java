package io.qreg.registry.variant;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** A variant (full view or list summary) as the API returns it, with its policy verdict beside its own fields. */
record JudgedVariant<T>(@JsonUnwrapped T variant, Object policyVerdict) {
}
