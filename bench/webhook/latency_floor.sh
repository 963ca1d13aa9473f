#!/usr/bin/env bash
# Where the receiver's p99 comes from, under the anchor's load (../shared/anchors: make_signed.py,
# wrk -t2 -c32 on the same cores): one row per variant, each with the CPU time the receiver and wrk
# spent per request.
#   1. bare: the receiver's /bench/ok route (same server and request size; no verify, no store)
#   2. tmpfs: verify + group commit into a database on /dev/shm (no disk), NORMAL
#   3. disk NORMAL and 4. disk FULL: the receiver as side_by_side.sh runs it
# wrk keeps 32 requests in flight, so the mean latency is 32 / (req/s): a p99 of 5 ms needs the whole
# request (receiver + wrk, on these two cores) to cost little enough for that rate.
#   bench/webhook/latency_floor.sh [RECEIVER_BINARY] [SECONDS=10]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
recv=${1:-$root/build/release/examples/webhook_receiver/faltrain-webhook-receiver}
d=${2:-10}
anchors=${ANCHORS:-$root/../shared/anchors}
[ -f "$anchors/make_signed.py" ] || anchors=/work/shared/anchors
[ -x "$recv" ] || { echo "no receiver at $recv (bash bench/webhook/side_by_side.sh builds it)"; exit 1; }
w=$(mktemp -d /tmp/latency-floor.XXXX)
shm=$(mktemp -d /dev/shm/latency-floor.XXXX)
rpid=""
cleanup() {
  [ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
  rm -rf "$w" "$shm"
}
trap cleanup EXIT

/usr/bin/python3 "$anchors/make_signed.py" --n 150000 --jwks "$w/jwks.json" --lua "$w/post.lua" >/dev/null || exit 1
sed 's#POST /webhook/fal/status#POST /bench/ok#' "$w/post.lua" >"$w/bare.lua"
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/18082) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() {  # name script db [receiver flags...]
  local name=$1 script=$2 db=$3
  shift 3
  "$recv" --port 18082 --db "$db" --jwks-file "$w/jwks.json" --quiet --bench-routes "$@" >"$w/$name.log" 2>&1 &
  rpid=$!
  wait_port || { echo "receiver did not start"; cat "$w/$name.log"; exit 1; }
  local before after
  before=$(cpu_ticks $rpid)
  /usr/bin/time -f "%U %S" -o "$w/$name.time" \
    wrk -t2 -c32 -d"${d}s" --latency -s "$w/$script" "http://127.0.0.1:18082/webhook/fal/status" >"$w/$name.wrk" 2>&1
  after=$(cpu_ticks $rpid)
  kill $rpid; wait $rpid 2>/dev/null; rpid=""
  local hz requests
  hz=$(getconf CLK_TCK)
  requests=$(awk '/requests in/ {print $1}' "$w/$name.wrk")
  awk -v name="$name" -v rt=$((after - before)) -v hz="$hz" -v n="$requests" \
      -v rps="$(awk '/Requests\/sec/ {print int($2)}' "$w/$name.wrk")" \
      -v p50="$(awk '$1=="50%" {print $2}' "$w/$name.wrk")" -v p99="$(awk '$1=="99%" {print $2}' "$w/$name.wrk")" \
      -v wrk_cpu="$(awk '{print $1 + $2}' "$w/$name.time")" \
      'BEGIN { printf "%-12s %8d %9s %9s %10.2f %14.0f %10.0f\n", name, rps, p50, p99, 32000 / rps, rt / hz * 1e6 / n, wrk_cpu * 1e6 / n }'
}

echo "latency floor, $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
printf "%-12s %8s %9s %9s %10s %14s %10s\n" variant req/s p50 p99 mean_ms receiver_us/req wrk_us/req
run bare bare.lua "$w/bare.db" --sync-normal
run tmpfs post.lua "$shm/tmpfs.db" --sync-normal
run disk-normal post.lua "$w/normal.db" --sync-normal
run disk-full post.lua "$w/full.db"
ed25519=$(openssl speed -seconds 2 ed25519 2>/dev/null | awk '/Ed25519/ && $NF ~ /^[0-9.]+$/ {print $NF}')
echo "openssl speed ed25519, one core: ${ed25519:-?} verifications/s ($(awk -v v="${ed25519:-0}" 'BEGIN { if (v > 0) printf "%.0f", 1e6 / v; else print "?" }') us each)"
