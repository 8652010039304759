package io.qreg.registry.database;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * Says at start, as a warning, when the registry's own database role could rewrite the audit log:
 * UPDATE or DELETE on an audit table, or owning one (and so able to disable its triggers). The
 * embedded server never allows it; an external one does when the registry connects as the schema's
 * owner or a superuser (docs/security.md says which grants the role needs).
 */
@Component
@RequiredArgsConstructor
class AuditPrivilegeCheck implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(AuditPrivilegeCheck.class);

    private final JdbcTemplate jdbc;

    /** The audit tables the current role could rewrite, each with how. */
    List<String> rewritable() {
        return jdbc.queryForList("""
                select c.relname || ' (' || concat_ws(', ',
                           case when pg_has_role(c.relowner, 'USAGE') then 'owner' end,
                           case when has_table_privilege(c.oid, 'UPDATE') then 'UPDATE' end,
                           case when has_table_privilege(c.oid, 'DELETE') then 'DELETE' end) || ')'
                  from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = 'public' and c.relkind = 'r' and c.relname like 'audit\\_%'
                   and (pg_has_role(c.relowner, 'USAGE') or has_table_privilege(c.oid, 'UPDATE')
                        or has_table_privilege(c.oid, 'DELETE'))
                 order by c.relname""", String.class);
    }

    @Override
    public void run(ApplicationArguments args) {
        List<String> rewritable = rewritable();
        if (!rewritable.isEmpty()) {
            log.warn("The registry's database role {} can rewrite the audit log: {}. Connect as a role that owns"
                    + " nothing and may only SELECT and INSERT on the audit tables (QREG_DB_USER), and migrate as"
                    + " the owner (QREG_DB_MIGRATION_USER); see docs/security.md.",
                    jdbc.queryForObject("select current_user", String.class), String.join(", ", rewritable));
        }
    }
}
