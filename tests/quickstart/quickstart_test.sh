#!/usr/bin/env bash
# One case of the quickstart example's test: quickstart_test.sh CASE
# Env: QUICKSTART, FALTRAIN_CLI (for demo-photos), WORK_ROOT.
set -uo pipefail
case_name="$1"
work="$WORK_ROOT/$case_name"
rm -rf "$work" && mkdir -p "$work"
# Offline whatever the caller's environment says.
unset FAL_KEY FAL_KEY_ID FAL_KEY_SECRET FAL_API_KEY FAL_WEBHOOK_URL FALTRAIN_QUEUE_URL FALTRAIN_REST_URL
export AVATAR_TEST_MODE=true FAL_MOCK_TRAINING_DURATION=2

fail() { echo "FAIL ($case_name): $*"; echo "--- output:"; cat "$work/out.txt"; exit 1; }
expect() { grep -qE "$1" "$work/out.txt" || fail "expected a line matching: $1"; }

run() {  # run ARGS...: runs the quickstart, output in out.txt, sets $rc
  "$QUICKSTART" "$@" >"$work/out.txt" 2>&1
  rc=$?
}

photos() { "$FALTRAIN_CLI" demo-photos "$work/photos" --count 12 >/dev/null || fail "demo-photos"; }

case "$case_name" in
  portrait)
    photos
    run "$work/photos" portrait fast
    [ "$rc" -eq 0 ] || fail "exit $rc, expected 0"
    expect '^uploaded 12 photos: https://'
    expect '^training portrait with fal-ai/flux-lora-portrait-trainer \(fast preset, [0-9]+ steps\), request id '
    expect '^  training +[0-9.]+%  step [0-9]+/[0-9]+'
    expect '^  completed +100\.0%'
    expect '^LoRA weights: https://'
    expect '^image: https://.* \([0-9]+x[0-9]+\)$'
    ;;
  artistic)
    photos
    run "$work/photos" artistic quality
    [ "$rc" -eq 0 ] || fail "exit $rc, expected 0"
    expect '^training artistic with fal-ai/flux-pro-trainer \(quality preset, [0-9]+ steps\)'
    expect '^finetune id: .+'
    expect '^image: https://'
    ;;
  usage)
    run
    [ "$rc" -eq 1 ] || fail "no arguments: exit $rc, expected 1"
    expect '^usage: '
    run "$work" cubist
    [ "$rc" -eq 1 ] || fail "bad style: exit $rc, expected 1"
    expect 'cubist'
    ;;
  no_photos)
    mkdir -p "$work/empty"
    run "$work/empty"
    [ "$rc" -eq 2 ] || fail "exit $rc, expected 2"
    expect '^quickstart: (reading|uploading) the photos failed: '
    ;;
  no_key)
    photos
    AVATAR_TEST_MODE=false run "$work/photos"
    [ "$rc" -eq 2 ] || fail "exit $rc, expected 2"
    expect '^quickstart: creating the client failed: missing fal credentials: .*FAL_KEY'
    ;;
  *) echo "unknown case $case_name"; exit 2 ;;
esac
echo "ok ($case_name)"
