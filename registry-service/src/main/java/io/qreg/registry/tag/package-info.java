/**
 * Key/value tags on models, checkpoints and variants: their storage, validation, audit and the {@code ?tag=key:value}
 * list filter. It knows subjects only by kind and id; the model, checkpoint and variant features resolve their own
 * subjects and offer {@code PUT/DELETE .../tags/{key}}.
 */
package io.qreg.registry.tag;
