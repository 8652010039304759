package io.qreg.registry.database;

/**
 * A PostgreSQL server run by someone else ({@code qreg.db.url}); the registry only connects to it.
 *
 * @param connection          how the registry reaches it
 * @param migrationConnection how the migrations do ({@code qreg.db.migration-user}), or the same
 */
public record ExternalDatabase(DatabaseConnection connection, DatabaseConnection migrationConnection)
        implements DatabaseServer {

    public ExternalDatabase(DatabaseConnection connection) {
        this(connection, connection);
    }

    /** Nothing to stop: the server's lifecycle is not ours. */
    @Override
    public void close() {
    }
}
