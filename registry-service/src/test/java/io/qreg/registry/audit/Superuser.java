package io.qreg.registry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import io.qreg.registry.database.DatabaseConnection;
import io.qreg.registry.database.DatabaseServer;
import io.qreg.registry.database.EmbeddedDatabase;

/**
 * A connection of its own as the PostgreSQL superuser of the embedded server (with its password, as an
 * insider holding it would), whatever role the registry itself connects as: the attacker the signed tree
 * heads are for.
 */
final class Superuser {

    private Superuser() {
    }

    static Connection connect(DatabaseServer server) throws SQLException {
        DatabaseConnection su = ((EmbeddedDatabase) server).superuserConnection();
        Connection connection = DriverManager.getConnection(su.jdbcUrl(), su.user(), su.password());
        try (var statement = connection.createStatement();
             var result = statement.executeQuery("select rolsuper from pg_roles where rolname = current_user")) {
            result.next();
            assertThat(result.getBoolean(1)).as("connected as a superuser").isTrue();
            // What only a superuser may do: switch the append-only triggers off for this session.
            statement.execute("set session_replication_role = replica");
        }
        return connection;
    }
}
