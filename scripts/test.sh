#!/usr/bin/env bash
# The whole test suite: unit, integration and end-to-end, on a test stack of its own.
# It starts the stack on its own folder (.stack/test) and ports, so it passes whether or not a
# `make up` stack runs beside it, and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

export STACK_DIR="${TEST_STACK_DIR:-$PWD/.stack/test}"
# Test ports are the development ports of the registry (services.toml) shifted by TEST_PORT_OFFSET (10000 by
# default: Kafka on 19092, ...), so several checkouts can run their suites side by side on one machine.
ports="$(python3 scripts/registry.py ports --offset "${TEST_PORT_OFFSET:-10000}")"  # a failure stops the script
eval "$ports"
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
for service in $(python3 scripts/registry.py names); do
  run "services/$service"
done
run tests/tooling
run tests/e2e -s

uv run --no-sync python -m passerelle.schemas.export --check || failed+=("schemas")
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All test packages passed."
