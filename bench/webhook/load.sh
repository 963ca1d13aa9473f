#!/usr/bin/env bash
# Load test of faltrain-webhook-receiver with wrk on 127.0.0.1, 32 connections:
#   1. the receiver's bare 200 route (same server, thread pool and request size; no verify, no store)
#   2. the real webhook route: Ed25519 verify + parse + durable SQLite insert, distinct request ids
# and the ratio of the two. Usage:
#   bench/webhook/load.sh BUILD_DIR [SECONDS=10] [CONNECTIONS=32] [THREADS=2]
# BUILD_DIR needs -DFALTRAIN_BUILD_BENCHMARKS=ON -DFALTRAIN_BUILD_EXAMPLES=ON built targets
# faltrain_webhook_receiver and webhook_load_prep. Extra receiver flags: RECEIVER_FLAGS="--sync-normal".
set -euo pipefail
build=${1:?usage: load.sh BUILD_DIR [SECONDS] [CONNECTIONS] [THREADS]}
seconds=${2:-10}
connections=${3:-32}
threads=${4:-2}
here=$(cd "$(dirname "$0")" && pwd)
receiver="$build/examples/webhook_receiver/faltrain-webhook-receiver"
prep="$build/bench/webhook/webhook_load_prep"
work=$(mktemp -d /tmp/faltrain-webhook-load.XXXXXX)
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Enough distinct webhooks that no id repeats at the expected rate (wrap-arounds are reported).
count=${COUNT:-60000}
"$prep" "$work" "$count"

"$receiver" --host 127.0.0.1 --port 0 --port-file "$work/port" --db "$work/jobs.db" \
  --jwks-file "$work/jwks.json" --bench-routes --quiet \
  ${RECEIVER_FLAGS:-} >"$work/receiver.out" 2>"$work/receiver.err" &
pid=$!
for _ in $(seq 1 500); do [[ -s "$work/port" ]] && break; sleep 0.01; done
port=$(cat "$work/port")
base="http://127.0.0.1:$port"

run() {  # run NAME URL SCRIPT
  local out
  out=$(cd "$work" && wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$here/$3" "$2" \
        -- "$work/requests.tsv" "$threads")
  echo "$out" >&2
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  echo "$rps $p99"
}

read -r bare_rps bare_p99 < <(run bare "$base/bench/ok" bare.lua)
read -r hook_rps hook_p99 < <(run webhook "$base/webhook/fal/status" webhook.lua)
health=$(curl -s "$base/healthz")
kill -TERM "$pid"; wait "$pid" || true; pid=""

echo
echo "wrk -t$threads -c$connections -d${seconds}s on 127.0.0.1 (receiver ${RECEIVER_FLAGS:-})"
printf '  %-46s %12s req/s   p99 %s\n' "bare 200 (/bench/ok)" "$bare_rps" "$bare_p99"
printf '  %-46s %12s req/s   p99 %s\n' "verified + durably recorded (webhook route)" "$hook_rps" "$hook_p99"
awk -v a="$hook_rps" -v b="$bare_rps" 'BEGIN { printf "  ratio verified+recorded / bare: %.3f (%.1fx slower)\n", a / b, b / a }'
echo "  receiver /healthz after the run: $health"
