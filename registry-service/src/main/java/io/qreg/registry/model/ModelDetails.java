package io.qreg.registry.model;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** {@code GET /api/v1/models/{name}}: the model with its tags and its aliases. */
public record ModelDetails(@JsonUnwrapped ModelView model, Map<String, String> tags, List<ModelAlias> aliases) {
}
