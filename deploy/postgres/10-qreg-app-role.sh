#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory (docker-entrypoint-initdb.d).
# POSTGRES_USER owns the qreg database and runs QReg's migrations (QREG_DB_MIGRATION_USER); this adds
# the role QReg itself connects as (QREG_DB_USER), which owns nothing. The migrations then grant it
# exactly what it needs, and on the audit tables only SELECT and INSERT (docs/security.md).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app="$QREG_APP_USER" -v password="$QREG_APP_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
create role :"app" login password :'password';
revoke all on database :"db" from public;
grant connect, temporary on database :"db" to :"app";
revoke create on schema public from public;
grant usage on schema public to :"app";
SQL
