/**
 * Model aliases as in MLflow 2: a model's named pointers ({@code champion}, {@code challenger}) at one of its
 * variants or checkpoints, moved with {@code PUT /api/v1/models/{name}/aliases/{alias}} (audited), listed on the
 * model, and named in a rollout request in place of an id. Answers {@link io.qreg.registry.model.ModelAliases}.
 */
package io.qreg.registry.alias;
