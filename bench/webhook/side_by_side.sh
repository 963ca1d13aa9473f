#!/usr/bin/env bash
# The receiver against the seed's FastAPI stack (../shared/anchors), one run, no arguments needed:
# installs what the anchor needs, builds the release receiver, runs the anchor's side_by_side.sh
# (SQLite: default synchronous=FULL and --sync-normal) and prints its table. Then, unless
# SKIP_PG=1, the same load against the receiver on PostgreSQL (side_by_side_pg.sh).
#   ANCHORS=/work/shared/anchors N=150000 SECONDS=10 bash bench/webhook/side_by_side.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
anchors=${ANCHORS:-$root/../shared/anchors}
[ -f "$anchors/side_by_side.sh" ] || anchors=/work/shared/anchors
n=${N:-150000}
seconds=${SECONDS_PER_RUN:-10}

missing=()
command -v wrk >/dev/null || missing+=(wrk)
for module in cryptography fastapi uvicorn uvloop httptools; do
  /usr/bin/python3 -c "import $module" 2>/dev/null || missing+=("python3-$module")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  apt-get install -y wrk python3-cryptography python3-fastapi python3-uvicorn python3-uvloop python3-httptools >&2
fi

cd "$root"
export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
cmake --preset release >/dev/null
cmake --build --preset release --target faltrain-webhook-receiver >&2
receiver=$root/build/release/examples/webhook_receiver/faltrain-webhook-receiver

echo "== SQLite: bash $anchors/side_by_side.sh $receiver $n $seconds  ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
bash "$anchors/side_by_side.sh" "$receiver" "$n" "$seconds"
if [ "${SKIP_PG:-0}" != 1 ]; then
  echo
  bash "$here/side_by_side_pg.sh" "$receiver" "$n" "$seconds"
fi
