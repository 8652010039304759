/**
 * The vocabulary of a fallback a gateway can act on: {@link io.qreg.registry.fallback.OperatingPoint}, the point a
 * deployment tier or a model's policy picks on a variant's selective-routing curve
 * ({@link io.qreg.engine.eval.SelectiveRoutingCurve}, measured by the worker's evaluator and stored with the
 * evaluation). Depends on nothing in the registry but {@code web}; {@code deployment}, {@code policy}, {@code routing}
 * and {@code portal} use it. docs/routing.md, "Fallback threshold".
 */
package io.qreg.registry.fallback;
