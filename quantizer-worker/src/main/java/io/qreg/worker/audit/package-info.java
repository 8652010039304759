/**
 * The audit log's tamper evidence, defined once for the registry that signs it and for the auditor
 * who checks it offline: RFC 6962 Merkle hashing and proofs, an audit event's leaf bytes, and the
 * signed tree head (its Ed25519 signing payload and PEM keys). Plain JDK, no dependencies.
 */
package io.qreg.worker.audit;
