-- Flyway runs this after every migrate, as the schema's owner: the registry's own role (${appRole})
-- gets what it needs on every table and sequence, and on the audit tables (audit_*) only SELECT and
-- INSERT, so that neither a bug nor whoever holds its password can rewrite the audit log; as it owns
-- nothing, it cannot alter, disable or drop a table or a trigger either. Idempotent. When the
-- registry migrates as its own role (an external database without QREG_DB_MIGRATION_USER), there is
-- nobody else to grant to, and nothing happens.
do $$
declare
    app  text := '${appRole}';
    audit record;
begin
    if app = current_user or not exists (select 1 from pg_roles where rolname = app) then
        return;
    end if;
    execute format('grant usage on schema public to %I', app);
    execute format('grant select, insert, update, delete on all tables in schema public to %I', app);
    execute format('grant usage, select, update on all sequences in schema public to %I', app);
    execute format('revoke all on flyway_schema_history from %I', app);
    for audit in select tablename from pg_tables where schemaname = 'public' and tablename like 'audit\_%' loop
        execute format('revoke update, delete, truncate, references, trigger on %I from %I', audit.tablename, app);
    end loop;
end
$$;
