/**
 * Owns the registry's connection to PostgreSQL: the zero-configuration embedded server kept in
 * {@code ${qreg.data-dir}/postgres} (including recovery after a crash), or the external server named by
 * {@code qreg.db.url}, and the pooled {@link javax.sql.DataSource} that Flyway and JPA use.
 */
package io.qreg.registry.database;
