#!/usr/bin/env bash
# faltrain-demo tests, one case per ctest test:  demo_test.sh CASE
# Needs FALTRAIN_DEMO (the binary; it finds faltrain-sim and faltrain-webhook-receiver in the build
# tree beside it) and WORK_ROOT. Everything stays on 127.0.0.1.
#   story      the whole story with a 2 s training: exit 0, the summary's facts, plain progress
#              lines (stdout is not a terminal), the job store says COMPLETED, nothing left running
#   artistic   the artistic style: a finetune id instead of a LoRA, generation with it
#   tty        under a pseudo-terminal (script): the live progress bar is redrawn in place
#   interrupt  SIGINT during the training: exit 130, both programs stopped, work dir removed
#   killed     SIGKILL during the training: the programs it started still exit (parent-death signal)
#   failure    a receiver that cannot start: exit 2, the simulator it had started is stopped
set -euo pipefail

CASE="$1"
: "${FALTRAIN_DEMO:?}" "${WORK_ROOT:?}"
WORK="$WORK_ROOT/$CASE"
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
# The demo must not depend on anything in the caller's environment pointing anywhere.
unset FAL_KEY FAL_KEY_ID FAL_KEY_SECRET FAL_API_KEY FAL_WEBHOOK_URL FALTRAIN_QUEUE_URL \
      FALTRAIN_REST_URL FALTRAIN_JWKS_URL AVATAR_TEST_MODE FAL_MOCK_TRAINING_DURATION \
      FALTRAIN_SIM_BIN FALTRAIN_RECEIVER_BIN

fail() { echo "FAIL [$CASE]: $*" >&2; exit 1; }
contains() { grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "'$2' not in $1"; }; }
# Waits up to 30 s for TEXT to appear in FILE (written by a program running in the background).
wait_for() {
  for _ in $(seq 1 300); do
    grep -qF -- "$2" "$1" && return 0
    sleep 0.1
  done
  contains "$1" "$2"
}
# The value after a summary label, e.g. summary "request id:".
summary() { sed -n "s/^  $1 *//p" out.txt | head -1; }
# Every pid the demo printed for the programs it started.
started_pids() { sed -n 's/.*(pid \([0-9]*\),.*/\1/p' out.txt; }
none_running() {
  local pid
  for pid in $(started_pids); do
    if kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
      fail "process $pid started by the demo is still running"
    fi
  done
  [ -n "$(started_pids)" ] || fail "the demo printed no pids"
}

case "$CASE" in
story)
  code=0
  "$FALTRAIN_DEMO" --duration 2 --timeout 120 --work-dir "$WORK/run" --keep --image-out "$WORK/image.bin" \
    >out.txt 2>err.txt || code=$?
  [ "$code" -eq 0 ] || { cat out.txt err.txt; fail "exit $code"; }
  contains out.txt "demo: OK"
  none_running
  [ "$(summary 'trainer:')" = "fal-ai/flux-lora-portrait-trainer (auto-selected for the portrait style)" ] ||
    fail "trainer: $(summary 'trainer:')"
  summary 'preset:' | grep -q '^fast (500 steps, learning rate 0.0003' || fail "preset: $(summary 'preset:')"
  summary 'photos:' | grep -q '^12 (.*) -> http://127.0.0.1:[0-9]*/files/' || fail "photos: $(summary 'photos:')"
  if [ "${DEMO_CHECKS_PHOTOS:-0}" = 1 ]; then
    # Real portraits, each checked (one face, 640x640) and passing before anything was submitted.
    contains out.txt "12 real portraits"
    [ "$(grep -c '^portrait_[0-9][0-9]\.jpg  ok       640x640      1 ' out.txt)" -eq 12 ] ||
      fail "the check's table: $(grep '^portrait_' out.txt)"
    [ "$(summary 'photo check:')" = "ok: 12 of 12 photos usable (the trainer needs 10)" ] ||
      fail "photo check: $(summary 'photo check:')"
    check_line=$(grep -n '^==> Checking the photos' out.txt | cut -d: -f1)
    submit_line=$(grep -n '^==> Training avatar' out.txt | cut -d: -f1)
    [ -n "$check_line" ] && [ "$check_line" -lt "$submit_line" ] || fail "the check did not come before the training"
  else
    contains out.txt "generated portraits"
    if grep -q '^  photo check:' out.txt; then fail "a check without faltrain::preflight"; fi
  fi
  request_id=$(summary 'request id:')
  [ -n "$request_id" ] || fail "no request id"
  summary 'LoRA:' | grep -q '^http://127.0.0.1:[0-9]*/files/.*\.safetensors$' || fail "LoRA: $(summary 'LoRA:')"
  summary 'webhook:' | grep -q '^verified (Ed25519, JWKS http://127.0.0.1:[0-9]*/.well-known/jwks.json), status OK, user .*, applied$' ||
    fail "webhook: $(summary 'webhook:')"
  summary 'job in the store:' | grep -q '^COMPLETED ' || fail "job: $(summary 'job in the store:')"
  summary 'image:' | grep -Eq '^http://127.0.0.1:[0-9]*/files/.* \(image/(jpeg|png), [0-9]+x[0-9]+, ' ||
    fail "image: $(summary 'image:')"
  summary 'stopped:' | grep -qx 'faltrain-sim (exit 0), faltrain-webhook-receiver (exit 0)' ||
    fail "stopped: $(summary 'stopped:')"
  summary 'timings:' | grep -q 'training .* total ' || fail "timings: $(summary 'timings:')"
  # Not a terminal: plain progress lines, no carriage-return redraws.
  contains out.txt "progress: "
  contains out.txt "training  step "
  if grep -q $'\r' out.txt; then fail "terminal control characters in plain output"; fi
  # The saved image is what the summary says it is.
  case "$(summary 'image:')" in
    *image/jpeg*) [ "$(head -c 3 "$WORK/image.bin" | od -An -tx1 | tr -d ' ')" = "ffd8ff" ] || fail "not a JPEG" ;;
    *image/png*) [ "$(head -c 4 "$WORK/image.bin" | od -An -tx1 | tr -d ' ')" = "89504e47" ] || fail "not a PNG" ;;
  esac
  # The job store, read independently: the job is COMPLETED with the request id, and the webhook is
  # in the inbox, processed once.
  query() {
    if command -v sqlite3 >/dev/null; then
      sqlite3 "$WORK/run/jobs.db" "$1"
    else
      python3 -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print("|".join(map(str, row)))' "$WORK/run/jobs.db" "$1"
    fi
  }
  if command -v sqlite3 >/dev/null || command -v python3 >/dev/null; then
    row=$(query "select status, request_id from jobs")
    [ "$row" = "COMPLETED|$request_id" ] || fail "jobs table: $row"
    [ "$(query "select count(*) from webhook_inbox where request_id = '$request_id' and processed_at is not null")" = 1 ] ||
      fail "webhook inbox"
  else
    echo "note: neither sqlite3 nor python3 here; the independent job store check is skipped"
  fi
  # Both programs logged their side: the simulator delivered, the receiver notified once.
  grep -q "notify: job 1 \"Demo\" of user demo-user is COMPLETED (request $request_id)" \
    "$WORK/run/faltrain-webhook-receiver.err" || { cat "$WORK/run/faltrain-webhook-receiver.err"; fail "receiver log"; }
  ;;
artistic)
  # The other style: flux-pro-trainer's finetune id, then the finetuned Ultra endpoint.
  code=0
  "$FALTRAIN_DEMO" --duration 2 --timeout 120 --style artistic --preset quality --name "Art" >out.txt 2>err.txt || code=$?
  [ "$code" -eq 0 ] || { cat out.txt err.txt; fail "exit $code"; }
  contains out.txt "demo: OK"
  [ "$(summary 'trainer:')" = "fal-ai/flux-pro-trainer (auto-selected for the artistic style)" ] ||
    fail "trainer: $(summary 'trainer:')"
  summary 'preset:' | grep -q '^quality (1000 steps, learning rate 5e-5' || fail "preset: $(summary 'preset:')"
  summary 'finetune:' | grep -Eq '^[0-9a-f-]{36}$' || fail "finetune: $(summary 'finetune:')"
  summary 'avatar:' | grep -q '^"Art" (job #1 of user demo-user, artistic style)$' || fail "avatar: $(summary 'avatar:')"
  summary 'job in the store:' | grep -q '^COMPLETED ' || fail "job: $(summary 'job in the store:')"
  summary 'image:' | grep -Eq '\(image/(jpeg|png), ' || fail "image: $(summary 'image:')"
  none_running
  ;;
tty)
  command -v script >/dev/null || fail "script (bsdutils) is needed"
  code=0
  script -qfec "'$FALTRAIN_DEMO' --duration 3 --timeout 120" /dev/null >out.txt 2>&1 </dev/null || code=$?
  [ "$code" -eq 0 ] || { cat -v out.txt; fail "exit $code"; }
  contains out.txt "demo: OK"
  # The bar is redrawn in place: carriage return + erase line, then [###---] with a percentage.
  grep -aq $'\r\e\[K\[#*-*\] *[0-9.]*%  training' out.txt || { cat -v out.txt; fail "no live progress bar"; }
  grep -aq '100.0%  completed' out.txt || { cat -v out.txt; fail "the bar never reached 100%"; }
  if grep -aq '^progress: ' out.txt; then fail "plain progress lines on a terminal"; fi
  none_running
  ;;
interrupt)
  "$FALTRAIN_DEMO" --duration 60 --timeout 120 >out.txt 2>err.txt &
  demo=$!
  wait_for out.txt "is TRAINING"
  work_dir=$(sed -n 's/.*job store \(.*\)\/jobs.db).*/\1/p' out.txt)
  [ -d "$work_dir" ] || fail "work directory '$work_dir' not found while running"
  kill -INT "$demo"
  code=0
  wait "$demo" || code=$?
  [ "$code" -eq 130 ] || { cat out.txt err.txt; fail "exit $code, expected 130"; }
  contains out.txt "demo: interrupted while training; stopped the simulator (exit 0) and the receiver (exit 0)"
  none_running
  [ ! -e "$work_dir" ] || fail "temporary work directory $work_dir left behind"
  ;;
killed)
  # SIGKILL leaves the demo no chance to clean up: the programs must still go (PR_SET_PDEATHSIG).
  "$FALTRAIN_DEMO" --duration 60 --timeout 120 --work-dir "$WORK/run" >out.txt 2>err.txt &
  demo=$!
  wait_for out.txt "is TRAINING"
  kill -KILL "$demo"
  wait "$demo" 2>/dev/null || true
  for _ in $(seq 1 150); do
    alive=0
    for pid in $(started_pids); do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  none_running
  ;;
failure)
  code=0
  "$FALTRAIN_DEMO" --duration 2 --receiver /bin/false --timeout 60 >out.txt 2>err.txt || code=$?
  [ "$code" -eq 2 ] || { cat out.txt err.txt; fail "exit $code, expected 2"; }
  contains out.txt "demo: FAILED while starting the webhook receiver: "
  contains out.txt "exited with code 1 before listening"
  none_running
  work_dir=$(sed -n 's/^  job store and logs kept in //p' out.txt)
  [ -f "$work_dir/faltrain-sim.err" ] || fail "logs not kept for a failed run"
  rm -rf "$work_dir"
  # An unknown flag is a usage error, and nothing is started.
  code=0
  "$FALTRAIN_DEMO" --no-such-flag >out.txt 2>err.txt || code=$?
  [ "$code" -eq 1 ] || fail "unknown flag: exit $code, expected 1"
  contains err.txt "unknown flag '--no-such-flag'"
  ;;
*)
  fail "unknown case"
  ;;
esac
echo "PASS [$CASE]"
