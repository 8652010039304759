/**
 * Owns the registry's connection to PostgreSQL and the roles it connects as: the zero-configuration
 * embedded server kept in {@code ${qreg.data-dir}/postgres} (recovery after a crash, passwords for every
 * connection, a schema owner that migrates and an unprivileged role the registry runs as), or the
 * external server named by {@code qreg.db.url}, and the pooled {@link javax.sql.DataSource} JPA uses.
 */
package io.qreg.registry.database;
