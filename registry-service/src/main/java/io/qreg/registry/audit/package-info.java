/**
 * The append-only, hash-chained audit trail of every change, the RFC 6962 Merkle tree over it with
 * signed tree heads anchored outside the database, and its verification (docs/security.md).
 */
package io.qreg.registry.audit;
