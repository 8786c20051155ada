#!/bin/sh
# First start: initdb, then the role and one database per service (setup.sql, the native stack's own), on a server
# that listens on its socket only, so a health check never sees a half-initialised cluster. Then the real server,
# with the native stack's settings (server-args.sh, rendered from nativestack.postgres by deploy/images/build.py).
set -eu
BIN=/usr/lib/postgresql/15/bin
SHARE=/usr/local/share/passerelle
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  "$BIN/initdb" -D "$PGDATA" -U postgres --encoding=UTF8 --no-locale --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  "$BIN/pg_ctl" -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" -w start >/dev/null
  psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -U postgres -d postgres -f "$SHARE/setup.sql"
  "$BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  echo "postgres: cluster initialised (role and databases from setup.sql)"
fi
. "$SHARE/server-args.sh"
exec "$BIN/postgres" -D "$PGDATA" "$@"
