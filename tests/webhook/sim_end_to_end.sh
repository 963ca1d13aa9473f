#!/usr/bin/env bash
# End to end against the simulator: faltrain-sim (signed webhooks) → faltrain-webhook-receiver
# (verify, record, process, notify). Two trainings, one made to fail; then bad requests get the
# right statuses; then SIGTERM exits cleanly.
#   sim_end_to_end.sh SIM RECEIVER SUBMIT WORK_DIR
set -euo pipefail
sim=$1 receiver=$2 submit=$3 work=$4
rm -rf "$work"; mkdir -p "$work"; cd "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- receiver log"; cat rcv.err || true; echo "--- sim log"; cat sim.err || true; exit 1; }

"$sim" --port 0 --webhooks --duration 2 --queue-duration 0.5 --seed 7 \
  --fault "training_failure:endpoint=fal-ai/flux-pro-trainer" >sim.out 2>sim.err &
pids+=($!)
for _ in $(seq 1 300); do grep -q listening sim.out 2>/dev/null && break; sleep 0.02; done
sim_url=$(grep -o 'http://127.0.0.1:[0-9]*' sim.out | head -1)
[[ -n "$sim_url" ]] || fail "simulator did not start"

"$receiver" --port 0 --port-file port --db jobs.db --jwks-url "$sim_url/.well-known/jwks.json" \
  --notify-command 'echo "$FALTRAIN_JOB_ID $FALTRAIN_JOB_STATUS $FALTRAIN_JOB_NAME" >> notified.txt' \
  >rcv.out 2>rcv.err &
rcv=$!
pids+=($rcv)
for _ in $(seq 1 300); do [[ -s port ]] && break; sleep 0.02; done
port=$(cat port)
hook="http://127.0.0.1:$port/webhook/fal/status"

export FAL_KEY=demo:key FALTRAIN_QUEUE_URL=$sim_url FALTRAIN_REST_URL=$sim_url
"$submit" --db jobs.db --webhook "$hook" --name Anna --style portrait
"$submit" --db jobs.db --webhook "$hook" --name Boris --style artistic

for _ in $(seq 1 300); do
  [[ -f notified.txt && $(wc -l <notified.txt) -ge 2 ]] && break
  sleep 0.1
done
grep -qx "1 COMPLETED Anna" notified.txt || fail "Anna not COMPLETED: $(cat notified.txt 2>/dev/null)"
grep -qx "2 FAILED Boris" notified.txt || fail "Boris not FAILED: $(cat notified.txt 2>/dev/null)"

status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[[ $(status -X GET "$hook") == 405 ]] || fail "GET not 405"
[[ $(status -X POST -H 'Content-Type: text/plain' --data '{}' "$hook") == 415 ]] || fail "text/plain not 415"
[[ $(status -X POST -H 'Content-Type: application/json' --data '{"request_id":"x","status":"OK"}' "$hook") == 401 ]] \
  || fail "unsigned not 401"
head -c 1100000 /dev/zero | tr '\0' 'a' >big.json
[[ $(status -X POST -H 'Content-Type: application/json' --data-binary @big.json "$hook") == 413 ]] || fail "big not 413"
health=$(curl -s "http://127.0.0.1:$port/healthz")
[[ $health == *'"inbox_total":2'*'"inbox_unprocessed":0'* ]] || fail "healthz: $health"

kill -TERM "$rcv"
wait "$rcv" || fail "receiver exit status $?"
[[ $(wc -l <notified.txt) -eq 2 ]] || fail "notified more than once: $(cat notified.txt)"
echo "PASS: $(tr '\n' ';' <notified.txt) healthz $health"
