package io.qreg.registry.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;

/**
 * The registry's database role, as the running registry has it on the embedded server: it owns
 * nothing, may only read and append the audit tables, and every connection needs a password.
 */
class LeastPrivilegeIT extends IntegrationTest {

    @Test
    void theRegistryConnectsAsARoleThatOwnsNothingAndIsNoSuperuser() {
        admin().post("/api/v1/models", Map.of("name", "least-" + System.nanoTime(), "task", "other"));

        assertThat(jdbc.queryForObject("select current_user", String.class)).isEqualTo(EmbeddedDatabase.APP);
        assertThat(jdbc.queryForObject("select rolsuper or rolcreaterole or rolcreatedb from pg_roles"
                + " where rolname = current_user", Boolean.class)).isFalse();
        assertThat(jdbc.queryForObject("select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where n.nspname = 'public' and c.relowner <> (select oid from pg_roles where rolname = ?)",
                Long.class, EmbeddedDatabase.OWNER)).as("the owner owns every relation of the schema").isZero();
        assertThatThrownBy(() -> jdbc.execute("create table intruder (x int)"))
                .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining("permission denied");
    }

    @Test
    void onTheAuditTablesItMayOnlySelectAndInsertAndCannotTouchTheTriggers() {
        for (String privilege : List.of("SELECT", "INSERT")) {
            assertThat(jdbc.queryForObject("select has_table_privilege('audit_event', ?)", Boolean.class, privilege))
                    .as(privilege).isTrue();
        }
        for (String privilege : List.of("UPDATE", "DELETE", "TRUNCATE", "TRIGGER")) {
            assertThat(jdbc.queryForObject("select has_table_privilege('audit_event', ?)", Boolean.class, privilege))
                    .as(privilege).isFalse();
        }
        assertThatThrownBy(() -> jdbc.execute("alter table audit_event disable trigger all"))
                .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining("must be owner");
        assertThatThrownBy(() -> jdbc.execute("drop trigger audit_event_no_update_or_delete on audit_event"))
                .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining("must be owner");
        assertThatThrownBy(() -> jdbc.execute("set session_replication_role = replica"))
                .as("turning triggers off for the session needs a superuser")
                .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining("permission denied");

        assertThat(new AuditPrivilegeCheck(jdbc).rewritable()).as("nothing to warn about").isEmpty();
        assertThat(new AuditPrivilegeCheck(superuser()).rewritable())
                .as("connected as the superuser, the start-up check warns").contains("audit_event (owner, UPDATE, DELETE)");
    }

    @Test
    void everyConnectionNeedsItsPasswordWhichIsKeptInTheDataDirectoryForTheRegistryAlone() throws Exception {
        String hba = Files.readString(DATA_DIR.resolve("postgres").resolve("pg_hba.conf"));
        assertThat(hba.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))).isNotEmpty()
                .allSatisfy(line -> assertThat(line).endsWith("scram-sha-256"));
        String url = ((EmbeddedDatabase) getDatabase()).connection().jdbcUrl();
        for (String role : List.of(EmbeddedDatabase.SUPERUSER, EmbeddedDatabase.OWNER, EmbeddedDatabase.APP)) {
            assertThatThrownBy(() -> DriverManager.getConnection(url, role, null)).as(role)
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> DriverManager.getConnection(url, role, "guess")).as(role)
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            Path file = DATA_DIR.resolve("keys").resolve((role.equals(EmbeddedDatabase.SUPERUSER) ? "postgres-superuser"
                    : "postgres-" + role) + ".password");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(role)
                    .isEqualTo("rw-------");
        }
    }
}
