#!/usr/bin/env bash
# `docker compose` on deploy/compose/compose.yaml with the project's images: builds or loads them first
# (deploy/images/build.py), exports their tags (IDENTITY_IMAGE=passerelle/identity:<inputs digest>, ...), and
# uses the compose v2 plugin built by deploy/tools/install.sh when the docker CLI has none.
#   deploy/compose/compose.sh up -d --wait     deploy/compose/compose.sh ps     deploy/compose/compose.sh down -v
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
if ! docker compose version >/dev/null 2>&1; then
  tools="$(deploy/tools/install.sh compose | tail -1)"
  export DOCKER_CONFIG="${DOCKER_CONFIG_DIR:-$ROOT/.stack/docker-config}"
  mkdir -p "$DOCKER_CONFIG"
  ln -sfn "$tools/cli-plugins" "$DOCKER_CONFIG/cli-plugins"
fi
# Kafka's SASL passwords (the stack's admin, the controller, one principal per service): drawn once, kept 0600 in
# the git-ignored .stack/compose/kafka.env; a variable already set in the environment wins.
KAFKA_ENV="${KAFKA_ENV_FILE:-$ROOT/.stack/compose/kafka.env}"
if [ ! -f "$KAFKA_ENV" ]; then
  mkdir -p "$(dirname "$KAFKA_ENV")"
  ( umask 077
    for who in ADMIN CONTROLLER IDENTITY CONTRACTS DOCUMENTS OPCO_PROCESSING NOTIFIER PORTAL; do
      echo "KAFKA_${who}_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
    done > "$KAFKA_ENV" )
fi
while IFS='=' read -r name value; do
  [ -n "$name" ] && [ -z "${!name:-}" ] && export "$name=$value"
done < "$KAFKA_ENV"
while IFS='=' read -r name tag; do
  [ -n "$tag" ] && export "$(echo "$name" | tr 'a-z-' 'A-Z_')_IMAGE=$tag"
done < <(uv run --no-sync python deploy/images/build.py ensure postgres kafka s3 clamd mail identity contracts documents opco-processing notifier portal)
exec docker compose -f deploy/compose/compose.yaml ${COMPOSE_FILES:-} "$@"
