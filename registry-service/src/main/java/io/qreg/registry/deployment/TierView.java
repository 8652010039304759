package io.qreg.registry.deployment;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.qreg.registry.fallback.OperatingPoint;

/**
 * One tier of a deployment: the headers its traffic carries (empty for the default tier, which
 * matches everything else), the precision it insists on (null: any), whether its weights are
 * shipped to devices ({@code edge}), which licences that forbid redistribution rule out, and the
 * operating point of its low-confidence fallback ({@code fallback}, null: the model policy's).
 */
public record TierView(String name, String precision, Map<String, String> headers, boolean edge,
        @JsonProperty("default") boolean isDefault, @JsonInclude(JsonInclude.Include.NON_NULL) OperatingPoint fallback) {

    /** A tier without its own fallback operating point. */
    public TierView(String name, String precision, Map<String, String> headers, boolean edge, boolean isDefault) {
        this(name, precision, headers, edge, isDefault, null);
    }
}
