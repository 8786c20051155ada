#!/usr/bin/env bash
# The whole test suite: unit, integration and end-to-end, on a test stack of its own.
# It starts the stack on its own folder (.stack/test) and ports, so it passes whether or not a
# `make up` stack runs beside it, and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

export STACK_DIR="$PWD/.stack/test"
export KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 PG_PORT=15432 S3_PORT=19000 SMTP_PORT=11025 \
       MAIL_WEB_PORT=18025 CLAMD_PORT=13310 PORTAL_PORT=18000 IDENTITY_PORT=18001 CONTRACTS_PORT=18002 \
       DOCUMENTS_PORT=18003 OPCO_PROCESSING_PORT=18004 NOTIFIER_PORT=18005
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
