#!/usr/bin/env bash
# The anchor's load (../shared/anchors: make_signed.py, wrk -t2 -c32, distinct signed webhooks)
# against FastAPI (SQLite, NORMAL: the yardstick of the same run) and against the receiver on a
# throwaway PostgreSQL (tests/postgres/pg_fixture.sh: initdb on 127.0.0.1, fsync on,
# synchronous_commit on). Prints req/s, p50, p99, non-2xx and rows stored.
#   bench/webhook/side_by_side_pg.sh RECEIVER_BINARY [N=150000] [SECONDS=10]
set -uo pipefail
recv=${1:?usage: side_by_side_pg.sh RECEIVER_BINARY [N] [SECONDS]}
n=${2:-150000}
d=${3:-10}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
anchors=${ANCHORS:-$root/../shared/anchors}
[ -f "$anchors/make_signed.py" ] || anchors=/work/shared/anchors
w=$(mktemp -d /tmp/sbs-pg.XXXX)
pg=$w/pg
rpid=""
spid=""
cleanup() {
  [ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
  [ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
  sh "$root/tests/postgres/pg_fixture.sh" stop "$pg" >/dev/null 2>&1
  rm -rf "$w"
}
trap cleanup EXIT

sh "$root/tests/postgres/pg_fixture.sh" start "$pg" >/dev/null || { echo "PostgreSQL did not start"; exit 1; }
url=$(cat "$pg/url")
/usr/bin/python3 "$anchors/make_signed.py" --n "$n" --jwks "$w/jwks.json" --lua "$w/post.lua" >/dev/null || exit 1
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
load() {  # name port -> "rps p50 p99 non2xx"
  wrk -t2 -c32 -d"${d}s" --latency -s "$w/post.lua" "http://127.0.0.1:$2/webhook/fal/status" >"$w/$1.wrk" 2>&1
  echo "$(awk '/Requests\/sec/ {print int($2)}' "$w/$1.wrk") $(awk '$1=="50%" {print $2}' "$w/$1.wrk")" \
       "$(awk '$1=="99%" {print $2}' "$w/$1.wrk") $(awk '/Non-2xx/ {print $NF}' "$w/$1.wrk" | grep . || echo 0)"
}
pg_rows() { psql "$url" -tAc "select count(*) from webhook_inbox" 2>/dev/null || echo "?"; }
printf "%-44s %8s %9s %9s %7s %7s\n" server req/s p50 p99 non2xx rows
env JWKS_FILE="$w/jwks.json" DB="$w/fastapi.db" /usr/bin/python3 "$anchors/uvicorn_nodelay.py" fastapi_receiver:app \
  --app-dir "$anchors" --host 127.0.0.1 --port 18090 --workers 2 --log-level warning --no-access-log \
  --loop uvloop --http httptools >"$w/fastapi.log" 2>&1 &
spid=$!
wait_port 18090 || { echo "fastapi did not start"; cat "$w/fastapi.log"; exit 1; }
sleep 2
kids=$(ps -o pid= --ppid $spid | tr '\n' ' ')
read -r f_rps f_p50 f_p99 f_bad < <(load fastapi 18090)
kill $spid; wait $spid 2>/dev/null; spid=""
for k in $kids; do kill -0 "$k" 2>/dev/null && kill "$k"; done
f_rows=$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from events').fetchone()[0])" "$w/fastapi.db" 2>/dev/null || echo "?")
printf "%-44s %8s %9s %9s %7s %7s\n" "FastAPI uvloop+httptools 2 workers (NORMAL)" "$f_rps" "$f_p50" "$f_p99" "$f_bad" "$f_rows"
"$recv" --port 18091 --db "$url" --jwks-file "$w/jwks.json" --quiet >"$w/recv.log" 2>&1 &
rpid=$!
wait_port 18091 || { echo "receiver did not start"; cat "$w/recv.log"; exit 1; }
read -r c_rps c_p50 c_p99 c_bad < <(load recv-pg 18091)
kill -TERM $rpid; wait $rpid 2>/dev/null; rpid=""
printf "%-44s %8s %9s %9s %7s %7s\n" "faltrain-webhook-receiver (PostgreSQL)" "$c_rps" "$c_p50" "$c_p99" "$c_bad" "$(pg_rows)"
awk -v c="$c_rps" -v f="$f_rps" 'BEGIN { printf "ratio C++ on PostgreSQL / FastAPI on SQLite: %.2f\n", c/f }'
