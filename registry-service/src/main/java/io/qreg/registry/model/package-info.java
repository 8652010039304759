/** Models: the named families that checkpoints, variants and policies belong to. */
package io.qreg.registry.model;
