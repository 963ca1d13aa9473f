#!/usr/bin/env bash
# Durably recorded webhooks per second, SQLite vs PostgreSQL, on one and on two receivers, in one run.
# Each configuration gets a fresh database and its own pre-signed webhooks (distinct request ids);
# with two receivers each gets half the connections and a disjoint half of the webhooks, and the
# figure is the sum. Everything on 127.0.0.1; PostgreSQL is a throwaway server (tests/postgres/
# pg_fixture.sh: initdb + pg_ctl, fsync on) stopped at the end.
#
#   bench/postgres/load.sh BUILD_DIR [SECONDS=10] [CONNECTIONS=32]
# BUILD_DIR needs -DFALTRAIN_BUILD_BENCHMARKS=ON -DFALTRAIN_BUILD_EXAMPLES=ON and the targets
# faltrain_webhook_receiver and webhook_load_prep built. Needs wrk and PostgreSQL 15 (Debian: wrk,
# postgresql).
set -euo pipefail
build=$(cd "${1:?usage: load.sh BUILD_DIR [SECONDS] [CONNECTIONS]}" && pwd)
seconds=${2:-10}
connections=${3:-32}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
receiver="$build/examples/webhook_receiver/faltrain-webhook-receiver"
prep="$build/bench/webhook/webhook_load_prep"
lua="$root/bench/webhook/webhook.lua"
fixture="$root/tests/postgres/pg_fixture.sh"
work=$(mktemp -d /tmp/faltrain-pg-load.XXXXXX)
pgdir="$build/bench/postgres/pg"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [[ -n "$p" ]] && { kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; }; done
  sh "$fixture" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$(dirname "$pgdir")"
sh "$fixture" start "$pgdir" >&2
pg_url=$(cat "$pgdir/url")
psql_bin="$(cat "$pgdir/bindir")/psql"
[[ -x "$psql_bin" ]] || psql_bin=psql

count=${COUNT:-60000}
"$prep" "$work" "$count" >/dev/null

start_receiver() {  # start_receiver NAME DB -> prints port
  local name=$1 db=$2
  rm -f "$work/$name.port"
  "$receiver" --host 127.0.0.1 --port 0 --port-file "$work/$name.port" --db "$db" \
    --jwks-file "$work/jwks.json" --threads $((connections + 8)) --quiet \
    >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 1 1000); do [[ -s "$work/$name.port" ]] && break; sleep 0.01; done
  cat "$work/$name.port"
}

stop_receivers() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}

bench() {  # bench LABEL DB RECEIVERS -> prints "rps p99s..."
  local label=$1 db=$2 n=$3 i
  # Disjoint slices of the pre-signed webhooks, one per receiver.
  for ((i = 0; i < n; i++)); do awk -v n="$n" -v i="$i" 'NR % n == i' "$work/requests.tsv" >"$work/slice$i.tsv"; done
  local ports=()
  for ((i = 0; i < n; i++)); do ports+=("$(start_receiver "$label-$i" "$db")"); done
  local outs=()
  for ((i = 0; i < n; i++)); do
    (cd "$work" && wrk -t1 -c$((connections / n)) -d"${seconds}s" --latency -s "$lua" \
       "http://127.0.0.1:${ports[$i]}/webhook/fal/status" -- "$work/slice$i.tsv" 1 >"$work/$label-$i.wrk" 2>&1) &
    outs+=($!)
  done
  for p in "${outs[@]}"; do wait "$p"; done
  local total=0 p99s=""
  for ((i = 0; i < n; i++)); do
    cat "$work/$label-$i.wrk" >&2
    local rps p99
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/$label-$i.wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$work/$label-$i.wrk")
    total=$(awk -v a="$total" -v b="$rps" 'BEGIN { printf "%.0f", a + b }')
    p99s="$p99s $p99"
  done
  stop_receivers
  echo "$total$p99s"
}

reset_pg() {
  "$psql_bin" -q "$pg_url" -c "DROP TABLE IF EXISTS jobs, webhook_inbox, schema_migrations CASCADE; DROP FUNCTION IF EXISTS faltrain_jobs_forward_only()" >/dev/null
}

results=()
for n in 1 2; do
  rm -f "$work"/jobs-$n.db*
  results+=("sqlite $n $(bench "sqlite$n" "$work/jobs-$n.db" "$n")")
  reset_pg
  results+=("postgres $n $(bench "postgres$n" "$pg_url" "$n")")
done

echo
echo "durably recorded webhooks/s: wrk ${seconds}s, $connections connections in total, 127.0.0.1, $(nproc) cores;"
echo "receiver --threads $((connections + 8)); SQLite synchronous=FULL (WAL), PostgreSQL 15 fsync=on"
for r in "${results[@]}"; do
  read -r backend n rps p99s <<<"$r"
  printf '  %-9s %d receiver(s): %8s webhooks/s   p99 per receiver: %s\n' "$backend" "$n" "$rps" "$p99s"
done
