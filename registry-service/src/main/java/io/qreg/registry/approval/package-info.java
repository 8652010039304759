/**
 * Approvals: requests for a variant, or a model's checkpoint served unquantized, to serve a deployment's
 * tier; their required sign-offs; and the evidence they stand on, judged again whenever it or the policy changes.
 */
package io.qreg.registry.approval;
