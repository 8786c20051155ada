#!/bin/sh
# What a Passerelle service container runs:
#   serve             the HTTP API (and its in-process consumers and relay), on $HOST:$PORT; idle connections
#                     are kept 75 s, longer than the proxies in front and the clients (libs/.../client.py)
#   migrate           the service's Alembic migrations (a Kubernetes Job, a compose one-shot)
#   relay             a standalone outbox relay (passerelle-relay; RELAY_DATABASE_URL, PASSERELLE_KAFKA_BOOTSTRAP)
#   dead-letters ...  passerelle-dead-letters list|replay --group <service>
#   anything else     run as given (e.g. python3 -m passerelle.identity.entrypoints.seed)
set -eu
command="${1:-serve}"
[ $# -gt 0 ] && shift
case "$command" in
  serve)
    exec python3 -m uvicorn "passerelle.${PASSERELLE_SERVICE_MODULE}.main:app" --host "$HOST" --port "$PORT" \
      --no-server-header --proxy-headers --timeout-keep-alive 75 --log-config /opt/passerelle/logging.json \
      ${UVICORN_ARGS:-} "$@" ;;
  migrate)
    if [ -f /opt/passerelle/migrations/alembic.ini ]; then
      # Through libs (not the alembic CLI): it adds the delivery branch's versions, shipped inside libs.
      exec python3 -m passerelle.libs.migrations /opt/passerelle/migrations
    fi
    echo "${PASSERELLE_SERVICE}: no migrations" ;;
  relay) exec python3 -m passerelle.libs.relay "$@" ;;
  dead-letters) exec python3 -m passerelle.libs.dead_letters "$@" ;;
  *) exec "$command" "$@" ;;
esac
