/** The append-only, hash-chained audit trail of every change, and its verification. */
package io.qreg.registry.audit;
