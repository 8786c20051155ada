#!/bin/sh
# First start: initdb, then the role and one database per service, on a server that listens on its socket only
# (so a health check never sees a half-initialised cluster). Then the real server in the foreground.
set -eu
BIN=/usr/lib/postgresql/15/bin
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  "$BIN/initdb" -D "$PGDATA" -U postgres --encoding=UTF8 --no-locale --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  "$BIN/pg_ctl" -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" -w start >/dev/null
  psql="psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -U postgres -d postgres"
  $psql -c "CREATE ROLE \"$POSTGRES_ROLE\" LOGIN CREATEDB PASSWORD '$POSTGRES_PASSWORD'"
  # Tests drop scratch databases WITH (FORCE), which must also end autovacuum workers there.
  $psql -c "GRANT pg_signal_backend TO \"$POSTGRES_ROLE\""
  for db in $POSTGRES_DATABASES; do $psql -c "CREATE DATABASE \"$db\" OWNER \"$POSTGRES_ROLE\""; done
  "$BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  echo "postgres: initialised with role $POSTGRES_ROLE and databases: $POSTGRES_DATABASES"
fi
exec "$BIN/postgres" -D "$PGDATA" \
  -c listen_addresses="$PG_LISTEN" -c port="$PG_PORT" -c unix_socket_directories=/var/run/postgresql \
  -c max_connections=300 -c shared_buffers=128MB -c effective_cache_size=1GB -c work_mem=4MB \
  -c maintenance_work_mem=64MB -c fsync=on -c synchronous_commit=on -c max_wal_size=1GB -c jit=off \
  -c logging_collector=off -c log_line_prefix='%m [%p] %q%u@%d ' -c timezone=UTC
