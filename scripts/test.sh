#!/usr/bin/env bash
# The whole test suite: unit, integration and end-to-end, on a test stack of its own.
# It starts the stack on its own folder (.stack/test) and ports, so it passes whether or not a
# `make up` stack runs beside it, and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

export STACK_DIR="${TEST_STACK_DIR:-$PWD/.stack/test}"
# Test ports are the development ports shifted by TEST_PORT_OFFSET (10000 by default: Kafka on 19092, ...),
# so several checkouts can run their suites side by side on one machine, each with its own offset.
off=${TEST_PORT_OFFSET:-10000}
export KAFKA_PORT=$((9092 + off)) KAFKA_CONTROLLER_PORT=$((9093 + off)) PG_PORT=$((5432 + off)) \
       S3_PORT=$((9000 + off)) SMTP_PORT=$((1025 + off)) MAIL_WEB_PORT=$((8025 + off)) CLAMD_PORT=$((3310 + off)) \
       PORTAL_PORT=$((8000 + off)) IDENTITY_PORT=$((8001 + off)) CONTRACTS_PORT=$((8002 + off)) \
       DOCUMENTS_PORT=$((8003 + off)) OPCO_PROCESSING_PORT=$((8004 + off)) NOTIFIER_PORT=$((8005 + off))
STACK=(uv run --no-sync python deploy/native/stack.py)

"${STACK[@]}" install
"${STACK[@]}" start
trap '"${STACK[@]}" stop' EXIT
eval "$("${STACK[@]}" env)"

failed=()
run() {  # each package runs its own tests, in its own process (postmodern-mono's rule)
  echo "=== pytest $*"
  uv run --no-sync pytest "$@" || failed+=("$1")
}
run contracts-schemas
run libs
for service in services/*/; do
  run "${service%/}"
done
run tests/e2e -s

uv run --no-sync python -m passerelle.schemas.export --check || failed+=("schemas")
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All test packages passed."
