/**
 * Reproducible bundles: {@code GET /api/v1/variants/{id}/bundle}, one zip with a variant's model, a
 * {@code manifest.json} naming every digest it was made from and every piece of evidence about it, and a
 * {@code MODEL_CARD.md} saying the same for people. Anyone can check it offline: the manifest's sha256 is the model
 * file's.
 */
package io.qreg.registry.bundle;
