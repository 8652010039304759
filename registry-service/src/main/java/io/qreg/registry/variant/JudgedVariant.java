package io.qreg.registry.variant;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

import io.qreg.registry.archive.Archival;

/**
 * A variant (full view or list summary) as the API returns it, with its policy verdict beside its own fields,
 * whether it is archived ({@code archived}, {@code archivedAt}, {@code archivedBy}) and its tags.
 */
record JudgedVariant<T>(@JsonUnwrapped T variant, Object policyVerdict, @JsonUnwrapped Archival archival,
        Map<String, String> tags) {
}
