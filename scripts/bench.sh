#!/usr/bin/env bash
# `make bench`: the platform's ceilings on this machine, in one run, on a stack of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export STACK_DIR="$PWD/.stack/bench"
export KAFKA_PORT=29092 KAFKA_CONTROLLER_PORT=29093 PG_PORT=25432 S3_PORT=29000 SMTP_PORT=21025 \
       MAIL_WEB_PORT=28025 CLAMD_PORT=23310
STACK=(uv run --no-sync python deploy/native/stack.py)
"${STACK[@]}" install
"${STACK[@]}" start
trap '"${STACK[@]}" stop' EXIT
eval "$("${STACK[@]}" env)"

echo "== Kafka"
uv run --no-sync python -m bench.bench_kafka
echo "== Outbox"
uv run --no-sync python -m bench.bench_outbox
echo "== PostgreSQL (pgbench, scale 10, 8 clients, 30 s)"
export PGPASSWORD=passerelle
PGBENCH=/usr/lib/postgresql/15/bin/pgbench
$PGBENCH -h 127.0.0.1 -p "$PG_PORT" -U passerelle -i -q -s 10 e2e >/dev/null 2>&1
$PGBENCH -h 127.0.0.1 -p "$PG_PORT" -U passerelle -c 8 -j 2 -T 30 e2e 2>/dev/null | grep -E "^tps|latency average"
for extra in services/*/bench/bench_*.py; do
  [ -f "$extra" ] || continue
  echo "== $extra"
  uv run --no-sync python "$extra"
done
