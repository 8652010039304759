package io.qreg.registry.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the embedded cluster least-privileged, on every start (each step is idempotent), as its
 * superuser:
 * <ul>
 * <li>every connection authenticates with SCRAM: a cluster from before, created with {@code trust},
 * gets its superuser's password and a new {@code pg_hba.conf};</li>
 * <li>the {@value EmbeddedDatabase#OWNER} role owns the database, its schema and everything in it
 * (what an older cluster's superuser created is handed over), and runs the migrations;</li>
 * <li>the {@value EmbeddedDatabase#APP} role, the registry's own, owns nothing: it may connect and gets
 * its table privileges from the migrations' {@code afterMigrate} callback (SELECT and INSERT only on
 * the audit tables), so it cannot alter, disable or drop anything, the audit triggers included.</li>
 * </ul>
 */
final class EmbeddedRoles {

    static final String HBA = """
            # Written by QReg: every connection authenticates with a password (SCRAM); nothing is trusted.
            # TYPE  DATABASE        USER            ADDRESS                 METHOD
            local   all             all                                     scram-sha-256
            host    all             all             127.0.0.1/32            scram-sha-256
            host    all             all             ::1/128                 scram-sha-256
            local   replication     all                                     scram-sha-256
            host    replication     all             127.0.0.1/32            scram-sha-256
            host    replication     all             ::1/128                 scram-sha-256
            """;

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRoles.class);

    private EmbeddedRoles() {
    }

    static void secure(int port, Path dataDirectory, EmbeddedCredentials credentials) throws SQLException {
        String server = "jdbc:postgresql://127.0.0.1:" + port + "/";
        try (Connection admin = DriverManager.getConnection(server + "postgres", EmbeddedDatabase.SUPERUSER,
                credentials.superuser()); Statement sql = admin.createStatement()) {
            requirePasswords(dataDirectory, sql, credentials);
            login(sql, EmbeddedDatabase.OWNER, credentials.owner());
            login(sql, EmbeddedDatabase.APP, credentials.app());
            if (!exists(admin, "select 1 from pg_database where datname = ?", EmbeddedDatabase.DATABASE)) {
                sql.execute("create database " + EmbeddedDatabase.DATABASE + " encoding 'UTF8'");
                log.info("Created database {} in embedded PostgreSQL", EmbeddedDatabase.DATABASE);
            }
            sql.execute("alter database " + EmbeddedDatabase.DATABASE + " owner to " + EmbeddedDatabase.OWNER);
            sql.execute("revoke all on database " + EmbeddedDatabase.DATABASE + " from public");
            sql.execute("grant connect, temporary on database " + EmbeddedDatabase.DATABASE + " to "
                    + EmbeddedDatabase.APP);
        }
        try (Connection admin = DriverManager.getConnection(server + EmbeddedDatabase.DATABASE,
                EmbeddedDatabase.SUPERUSER, credentials.superuser()); Statement sql = admin.createStatement()) {
            sql.execute("alter schema public owner to " + EmbeddedDatabase.OWNER);
            sql.execute("revoke create on schema public from public");
            sql.execute("grant usage on schema public to " + EmbeddedDatabase.APP);
            handOverToOwner(sql);
        }
    }

    /** A cluster created with {@code trust} (before this class existed) gets passwords and SCRAM now. */
    private static void requirePasswords(Path dataDirectory, Statement sql, EmbeddedCredentials credentials)
            throws SQLException {
        Path hba = dataDirectory.resolve("pg_hba.conf");
        try {
            String current = Files.readString(hba, StandardCharsets.UTF_8);
            if (current.equals(HBA)) {
                return;
            }
            sql.execute("alter role " + EmbeddedDatabase.SUPERUSER + " password '" + credentials.superuser() + "'");
            Files.writeString(hba, HBA, StandardCharsets.UTF_8);
            if (current.lines().map(String::strip).anyMatch(line -> !line.startsWith("#") && line.endsWith("trust"))) {
                log.info("Embedded PostgreSQL trusted local connections; it now requires passwords (SCRAM)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot rewrite " + hba, e);
        }
        sql.execute("select pg_reload_conf()");
    }

    /** Creates the role if missing; sets its password from its key file (so a replaced file takes effect). */
    private static void login(Statement sql, String role, String password) throws SQLException {
        sql.execute("""
                do $$ begin
                  if not exists (select 1 from pg_roles where rolname = '%1$s') then
                    create role %1$s login;
                  end if;
                end $$""".formatted(role));
        sql.execute("alter role " + role + " login nosuperuser nocreatedb nocreaterole noreplication nobypassrls"
                + " password '" + password + "'");
    }

    /** What the superuser created in the schema (a cluster from before the roles) now belongs to the owner. */
    private static void handOverToOwner(Statement sql) throws SQLException {
        sql.execute("""
                do $$ declare o record; begin
                  for o in select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
                            where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm')
                              and pg_get_userbyid(c.relowner) <> '%1$s' loop
                    execute format(case o.relkind when 'v' then 'alter view %%I owner to %1$s'
                                                  when 'm' then 'alter materialized view %%I owner to %1$s'
                                                  else 'alter table %%I owner to %1$s' end, o.relname);
                  end loop;
                  -- after the tables: a sequence a table owns has followed it already
                  for o in select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                            where n.nspname = 'public' and c.relkind = 'S'
                              and pg_get_userbyid(c.relowner) <> '%1$s' loop
                    execute format('alter sequence %%I owner to %1$s', o.relname);
                  end loop;
                  for o in select p.oid::regprocedure::text as signature from pg_proc p
                            join pg_namespace n on n.oid = p.pronamespace
                            where n.nspname = 'public' and pg_get_userbyid(p.proowner) <> '%1$s' loop
                    execute 'alter function ' || o.signature || ' owner to %1$s';
                  end loop;
                end $$""".formatted(EmbeddedDatabase.OWNER));
    }

    private static boolean exists(Connection connection, String query, String value) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(query)) {
            statement.setString(1, value);
            try (ResultSet result = statement.executeQuery()) {
                return result.next();
            }
        }
    }
}
