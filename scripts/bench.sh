#!/usr/bin/env bash
# `make bench`: the platform's ceilings on this machine, in one run, on a stack of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export STACK_DIR="$PWD/.stack/bench"
# The registry's development ports shifted by 20000 (Kafka on 29092, ...): beside a dev and a test stack.
ports="$(python3 scripts/registry.py ports --offset 20000)"  # a failure stops the script
eval "$ports"
STACK=(uv run --no-sync python deploy/native/stack.py)
"${STACK[@]}" install
"${STACK[@]}" start
trap '"${STACK[@]}" stop' EXIT
eval "$("${STACK[@]}" env)"

if [ "${1:-}" = national ]; then
  # `make bench-national`: the saturation run (contracts/s, CPU and transactions per contract), then the
  # latency run at 20 contracts a second.
  echo "== National September: ${BENCH_NATIONAL_CONTRACTS:-3000} contracts at ${BENCH_NATIONAL_RATE:-150}/s offered"
  uv run --no-sync python -m bench.bench_national --contracts "${BENCH_NATIONAL_CONTRACTS:-3000}" \
    --rate "${BENCH_NATIONAL_RATE:-150}" --pgbench-seconds 20
  echo "== National September: latency at 20 contracts/s"
  uv run --no-sync python -m bench.bench_national --contracts 600 --rate 20 --pgbench-seconds 10
  exit 0
fi

echo "== Kafka"
uv run --no-sync python -m bench.bench_kafka
echo "== Outbox"
uv run --no-sync python -m bench.bench_outbox
echo "== PostgreSQL (pgbench, scale 10, 8 clients, 30 s)"
export PGPASSWORD=passerelle
PGBENCH=/usr/lib/postgresql/15/bin/pgbench
$PGBENCH -h 127.0.0.1 -p "$PG_PORT" -U passerelle -i -q -s 10 e2e >/dev/null 2>&1
$PGBENCH -h 127.0.0.1 -p "$PG_PORT" -U passerelle -c 8 -j 2 -T 30 e2e 2>/dev/null | grep -E "^tps|latency average"
echo "== National September, small (bench/bench_national.py; make bench-national for the full size)"
uv run --no-sync python -m bench.bench_national --contracts 300 --rate 100 --pgbench-seconds 10
for extra in services/*/bench/bench_*.py; do
  [ -f "$extra" ] || continue
  echo "== $extra"
  uv run --no-sync python "$extra"
done
