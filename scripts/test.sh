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
# Each package's output is also kept, so that the end of the run can say again why a package failed (a CI log
# shows its last lines only).
outputs="$PWD/.stack/test-logs/pytest"
mkdir -p "$outputs"
run() {  # each package runs its own tests, in its own process (postmodern-mono's rule)
  echo "=== pytest $*"
  local name="${RUN_AS:-$1}" log  # RUN_AS names a second run of one package (the e2e suite in containers)
  log="$outputs/$(echo "$name" | tr '/' '_').log"
  # Through a process substitution, not a pipe: a process a test leaves behind cannot hold the run open.
  COLUMNS=240 uv run --no-sync pytest "$@" > >(tee "$log") 2>&1 || failed+=("$name")
}
why() {  # the failures of a package again: pytest's short summary and the first error lines of each failure
  local log
  log="$outputs/$(echo "$1" | tr '/' '_').log"
  [ -f "$log" ] || return 0
  echo "--- why $1 failed (whole output: $log)"
  grep -E '^(FAILED|ERROR) [^ ]+::' "$log" | cut -c1-400 | head -8  # not the captured log's ERROR lines
  grep -E '^(E  |[^ ]+\.py:[0-9]+: [A-Za-z]*(Error|Exception))' "$log" | cut -c1-300 | head -12
}
run contracts-schemas
run libs
for service in $(python3 scripts/registry.py names); do
  run "services/$service"
done
run tests/tooling
run tests/e2e -s
run deploy/tests/test_chart.py deploy/tests/test_dashboard.py deploy/tests/test_images.py -s
uv run --no-sync python -m passerelle.schemas.export --check || failed+=("schemas")

# The container path, on the same ports: the native stack stops first. The end-to-end suite runs again with
# the infrastructure and the services in containers (Testcontainers), then the compose smoke test. A cold run
# builds the 13 images (about 4 minutes on a quiet two-core machine), a cached one loads them from .stack/images
# (docs/operating.md has each stage). PASSERELLE_CONTAINER_TESTS=0 leaves it out (the native suite only).
"${STACK[@]}" stop
trap - EXIT
if [ "${PASSERELLE_CONTAINER_TESTS:-1}" = 1 ]; then
  unset $(compgen -e | grep '^PASSERELLE_') || true
  # An engine that answers (DOCKER_HOST, the system's), else a private dockerd under .stack/docker, stopped after.
  eval "$(uv run --no-sync python deploy/images/engine.py start)"
  trap 'uv run --no-sync python deploy/images/engine.py stop' EXIT
  container_started=$(date +%s)
  # The first run builds every image (minutes): the session fixture may take longer than the usual timeout.
  PASSERELLE_TESTCONTAINERS=1 RUN_AS=tests/e2e-in-containers run tests/e2e -s -o timeout=2400
  container_took=$(( $(date +%s) - container_started ))
  compose_started=$(date +%s)
  run deploy/tests/test_compose.py -s -o timeout=1800
  compose_took=$(( $(date +%s) - compose_started ))
  uv run --no-sync python - "$container_took" "$compose_took" <<'PY'
import json, sys
from pathlib import Path
summary = json.loads(Path(".stack/test-logs/containers-last.json").read_text()) if Path(".stack/test-logs/containers-last.json").exists() else {}
t, built = summary.get("timings", {}), summary.get("images_built", [])
state = f"cold: built {', '.join(built)}" if built else "cached: every image loaded from .stack/images or present"
print(f"container path: e2e suite {sys.argv[1]}s in all; stack up in {t.get('total', 0):.0f}s "
      f"(images {t.get('images', 0):.0f}s, {state}; infrastructure {t.get('infrastructure', 0):.0f}s; "
      f"migrations and services {t.get('services', 0):.0f}s); compose smoke test {sys.argv[2]}s")
PY
fi

if [ ${#failed[@]} -gt 0 ]; then
  for package in "${failed[@]}"; do why "$package"; done
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All test packages passed."
