package io.qreg.registry.deployment;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One tier of a deployment: the headers its traffic carries (empty for the default tier, which
 * matches everything else), the precision it insists on (null: any), and whether its weights are
 * shipped to devices ({@code edge}), which licences that forbid redistribution rule out.
 */
public record TierView(String name, String precision, Map<String, String> headers, boolean edge,
        @JsonProperty("default") boolean isDefault) {
}
