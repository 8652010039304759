/**
 * Deployments: a model's named serving targets, their environments (and which need no approval) and
 * their tiers with the traffic each tier matches.
 */
package io.qreg.registry.deployment;
