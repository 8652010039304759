package io.qreg.registry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * A connection of its own as the PostgreSQL superuser of the embedded server (which trusts local
 * connections), whatever role the registry itself connects as: the attacker the signed tree heads are for.
 */
final class Superuser {

    private Superuser() {
    }

    static Connection connect(DataSource registryDatabase) throws SQLException {
        String url;
        try (Connection app = registryDatabase.getConnection()) {
            url = app.getMetaData().getURL();
        }
        Connection connection = DriverManager.getConnection(url, "postgres", null);
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
