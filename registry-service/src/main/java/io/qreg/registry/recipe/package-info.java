/** Recipes: named, immutable, content-hashed versions of a quantization configuration. */
package io.qreg.registry.recipe;
