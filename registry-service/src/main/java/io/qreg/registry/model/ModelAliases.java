package io.qreg.registry.model;

import java.util.List;

/**
 * The aliases of a model, for {@code GET /api/v1/models/{name}}. Answered by the alias feature, which depends on
 * models (and variants and checkpoints) to check what an alias points at, so models ask through this interface.
 */
public interface ModelAliases {

    /** The model's aliases by name. */
    List<ModelAlias> aliasesOf(String modelName);
}
