#!/usr/bin/env bash
# Watch 10,000 trainings from one thread over a slow network (issue 13). No arguments:
#   1. builds the release preset's faltrain-sim and faltrain_watch_bench (benchmarks on);
#   2. starts faltrain-sim on 127.0.0.1 with --latency-ms 100 and 10-hour trainings;
#   3. submits 10,000 trainings (64 threads; setup, not measured);
#   4. watches them for WATCH_SECONDS (default 60) each way, in separate processes:
#        serial   - the old JobMonitor's loop: one blocking status poll after the other (before)
#        multi    - plain libcurl multi doing the same polls (the CPU baseline)
#        monitor  - one JobMonitor at a 10 s interval (after)
#   5. shows the simulator serving every job's request at the same time: plain curl multi sends
#      one status GET per job at once, each on its own connection (burst mode; stderr only);
#   6. stops everything it started and ends with exactly one line:
#      watch-scale: jobs=10000 latency_ms=100 interval_s=10 threads=T rss_mib=R late_p99=X polls=P cpu_per_poll_us=C
# Environment: JOBS, WATCH_SECONDS, LATENCY_MS, INTERVAL_S override the defaults; SKIP_BUILD=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${JOBS:-10000}
watch_seconds=${WATCH_SECONDS:-60}
latency_ms=${LATENCY_MS:-100}
interval_s=${INTERVAL_S:-10}
build="$root/build/release"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  (cd "$root" && cmake --preset release -DFALTRAIN_BUILD_BENCHMARKS=ON >/dev/null &&
     cmake --build "$build" -j2 --target faltrain_sim faltrain_watch_bench >/dev/null)
fi
sim_bin="$build/examples/faltrain_sim/faltrain-sim"
bench_bin="$build/bench/watch/faltrain_watch_bench"

work=$(mktemp -d /tmp/faltrain-watch-scale.XXXXXX)
sim_pid=""
cleanup() {
  if [[ -n "$sim_pid" ]]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
"$sim_bin" --quiet --latency-ms "$latency_ms" --duration 36000 --queue-duration 0 --seed 13 \
  > "$work/sim.out" 2> "$work/sim.err" &
sim_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/sim.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/sim.out")
[[ -n "$url" ]] || { echo "faltrain-sim did not start" >&2; cat "$work/sim.err" >&2; exit 1; }

echo "submitting $jobs trainings to $url (latency ${latency_ms} ms)..." >&2
"$bench_bin" submit "$url" "$jobs" "$work/handles.jsonl"

echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
serial=$("$bench_bin" serial "$url" "$work/handles.jsonl" "$interval_s" "$watch_seconds")
echo "before (serial loop):  $serial" >&2
multi=$("$bench_bin" multi "$url" "$work/handles.jsonl" "$interval_s" "$watch_seconds")
echo "baseline (curl multi): $multi" >&2
monitor=$("$bench_bin" monitor "$url" "$work/handles.jsonl" "$interval_s" "$watch_seconds")
echo "after (JobMonitor):    $monitor" >&2

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<< "$1"; }
ratio=$(awk -v a="$(field "$monitor" cpu_per_poll_us)" -v b="$(field "$multi" cpu_per_poll_us)" \
  'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
echo "cpu per poll, JobMonitor / plain curl multi: ${ratio}x (goal <= 1.3)" >&2
if burst=$("$bench_bin" burst "$url" "$work/handles.jsonl" "$sim_pid"); then
  echo "concurrency (all at once): $burst" >&2
else
  echo "concurrency (all at once): NOT every request was answered: $burst" >&2
fi
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cleanup
sim_pid=""
trap - EXIT
echo "watch-scale: jobs=$jobs latency_ms=$latency_ms interval_s=$interval_s threads=$(field "$monitor" threads)" \
     "rss_mib=$(field "$monitor" rss_mib) late_p99=$(field "$monitor" late_p99) polls=$(field "$monitor" polls)" \
     "cpu_per_poll_us=$(field "$monitor" cpu_per_poll_us)"
