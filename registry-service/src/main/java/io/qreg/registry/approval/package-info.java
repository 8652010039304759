/** Approvals: requests for a variant to serve a deployment's tier, their required sign-offs and the evidence they bind. */
package io.qreg.registry.approval;
