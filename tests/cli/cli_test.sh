#!/usr/bin/env bash
# CLI tests, one case per ctest test:  cli_test.sh CASE
# Needs FALTRAIN_CLI (the binary), SIM_SERVER (tests/cli/sim_http_server) and WORK_ROOT; uses jq to
# check --json output. Everything stays on 127.0.0.1.
set -euo pipefail

CASE="$1"
: "${FALTRAIN_CLI:?}" "${SIM_SERVER:?}" "${WEBHOOK_FIXTURE:?}" "${WORK_ROOT:?}"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)"; exit 1; }
WORK="$WORK_ROOT/$CASE"
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

# Nothing from the caller's environment may point the CLI at real fal.
unset FAL_KEY FAL_KEY_ID FAL_KEY_SECRET FAL_API_KEY FAL_WEBHOOK_URL FALTRAIN_QUEUE_URL \
      FALTRAIN_REST_URL FALTRAIN_JWKS_URL FAL_ENABLE_WEBHOOK_SIMULATION
export AVATAR_TEST_MODE=true FAL_MOCK_TRAINING_DURATION=2

cli() { "$FALTRAIN_CLI" "$@"; }
fail() { echo "FAIL [$CASE]: $*" >&2; exit 1; }
# expect_exit CODE command... : runs the command, output in last.out / last.err.
expect_exit() {
  local want="$1" got=0
  shift
  "$@" >last.out 2>last.err || got=$?
  if [ "$got" -ne "$want" ]; then
    echo "--- stdout"; cat last.out; echo "--- stderr"; cat last.err
    fail "expected exit $want, got $got from: $*"
  fi
}
contains() { grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "'$2' not in $1"; }; }
jq_true() { jq -e "$2" "$1" >/dev/null || { echo "--- $1:"; cat "$1"; fail "jq '$2' is not true"; }; }

# The simulator behind an HTTP server, for commands that run in separate processes.
SIM_PID=""
start_sim() {
  coproc SIM { exec "$SIM_SERVER" "${1:-3}"; }
  local word port
  read -r word port <&"${SIM[0]}"
  [ "$word" = "port" ] || fail "simulator server did not start"
  export FALTRAIN_QUEUE_URL="http://127.0.0.1:$port" FALTRAIN_REST_URL="http://127.0.0.1:$port"
  export FAL_KEY="test-key-id:test-key-secret"
  unset AVATAR_TEST_MODE
}
stop_sim() { if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi; }
trap stop_sim EXIT

# Demo photos are drawn, tiny and alike: the photo check rejects them, so trainings of them pass
# --skip-check. The check itself is tested on real photos (python3-skimage, SKIMAGE_DATA).
photos() { cli demo-photos "${1:-photos}" --count "${2:-10}" >/dev/null; }

case "$CASE" in
help)
  expect_exit 0 cli --help
  for c in presets trainers train status watch result cancel generate verify-webhook demo-photos; do
    contains last.out "  $c"
  done
  contains last.out "exit codes"
  contains last.out "8 still running"
  # Each command's line keeps its name apart from its summary (once "verify-webhookcheck ...").
  grep -Eq '^  verify-webhook +check a fal webhook' last.out || fail "garbled verify-webhook help line"
  for c in presets trainers train status watch result cancel generate verify-webhook demo-photos; do
    expect_exit 0 cli "$c" --help
    contains last.out "usage: faltrain $c"
    contains last.out "--json"
    expect_exit 0 cli help "$c"
    contains last.out "usage: faltrain $c"
  done
  expect_exit 0 cli --version
  contains last.out "faltrain 0.1.0"
  ;;

presets)
  expect_exit 0 cli presets
  grep -Eq '^portrait +fast +500 +0\.0003 +3-5 min' last.out || fail "portrait fast row"
  grep -Eq '^artistic +quality +1000 +5e-5 +20-45 min' last.out || fail "artistic quality row"
  expect_exit 0 cli presets --json
  jq_true last.out '.presets | length == 6'
  jq_true last.out '.presets[] | select(.style=="portrait" and .preset=="balanced") | .steps == 1000 and .learning_rate == 0.0002 and .estimate_min_minutes == 5 and .estimate_max_minutes == 15'
  jq_true last.out '.presets[] | select(.style=="artistic" and .preset=="fast") | .learning_rate_text == "2e-4" and .steps == 200'
  jq_true last.out '.styles[0].default_trainer == "fal-ai/flux-lora-portrait-trainer"'
  expect_exit 0 cli --json presets --style artistic
  jq_true last.out '[.presets[].style] | unique == ["artistic"]'
  ;;

trainers)
  expect_exit 0 cli trainers
  contains last.out "fal-ai/flux-lora-portrait-trainer  [portrait]"
  contains last.out "(deprecated)"
  expect_exit 0 cli trainers --json
  jq_true last.out '.styles.portrait == "fal-ai/flux-lora-portrait-trainer" and .styles.artistic == "fal-ai/flux-pro-trainer"'
  jq_true last.out '.trainers[] | select(.endpoint_id=="fal-ai/flux-pro-trainer") | .deprecated and .output == "finetune_id" and .images_field == "data_url"'
  jq_true last.out '[.trainers[].endpoint_id] | contains(["fal-ai/flux-lora-fast-training","fal-ai/turbo-flux-trainer"])'
  cat >extra.json <<'EOF'
[{"endpoint_id":"example/my-trainer","display_name":"Mine","images_field":"image_data_url",
  "steps_field":"steps","default_steps":700,"min_images":3,"output":"lora_file",
  "generation_endpoint":"fal-ai/flux-lora"}]
EOF
  expect_exit 0 cli trainers --json --trainers-file extra.json
  jq_true last.out '.trainers[] | select(.endpoint_id=="example/my-trainer") | .default_steps == 700'
  ;;

check)
  # Real photos: NASA's astronaut portrait (good), a copy of it, coffee (small, no face), a cut PNG.
  : "${SKIMAGE_DATA:?}"
  mkdir good bad
  cp "$SKIMAGE_DATA/astronaut.png" good/astronaut.png
  expect_exit 0 cli check good --trainer fal-ai/flux-pro-trainer
  grep -qE '^astronaut\.png +ok +512x512 +1 *$' last.out || { cat last.out; fail "table row"; }
  contains last.out "ok: 1 of 1 photos usable (the trainer needs 1)"
  expect_exit 0 cli check good --trainer fal-ai/flux-pro-trainer --json
  jq_true last.out '.verdict == "ok" and .usable and (.photos | length) == 1'
  jq_true last.out '.photos[0] | .file == "astronaut.png" and .verdict == "ok" and .reasons == [] and .width == 512 and (.faces | length) == 1'
  cp "$SKIMAGE_DATA/astronaut.png" bad/a.png
  cp "$SKIMAGE_DATA/astronaut.png" bad/b.png
  cp "$SKIMAGE_DATA/coffee.png" bad/coffee.png
  head -c 30000 "$SKIMAGE_DATA/astronaut.png" >bad/cut.png
  expect_exit 6 cli check bad --sheet sheet.png --fix fixed
  contains last.out "duplicate of a.png"
  contains last.out "left out b.png: duplicate of a.png"
  [ -f fixed/a.png ] && [ ! -e fixed/b.png ] && [ ! -e fixed/cut.png ] || fail "fixed set: $(ls fixed)"
  contains last.out "contact sheet: sheet.png"
  [ "$(head -c 4 sheet.png | tail -c 3)" = "PNG" ] || fail "sheet.png is not a PNG"
  contains last.out "Add at least 9 more good photos"
  expect_exit 6 cli --json check bad
  jq_true last.out '.verdict == "reject" and (.usable | not) and .set_reasons == ["too_few_photos"] and .min_photos == 10'
  jq_true last.out '.photos[] | select(.file == "b.png") | .reasons == ["duplicate"] and .duplicate_of == "a.png"'
  jq_true last.out '.photos[] | select(.file == "coffee.png") | .reasons == ["low_resolution", "no_face"]'
  jq_true last.out '.photos[] | select(.file == "cut.png") | .reasons == ["unreadable"] and (.detail | test("truncated"))'
  expect_exit 6 cli check does-not-exist
  expect_exit 1 cli check
  expect_exit 1 cli check good --style sketchy
  ;;

train_check)
  photos photos 10
  expect_exit 6 cli train photos --preset fast
  contains last.err "portrait_01.png"
  contains last.err "--skip-check"
  expect_exit 6 cli --json train photos --preset fast
  head -1 last.out >check.json
  jq_true check.json '.event == "check_failed" and .check.verdict == "reject" and (.check.photos | length) == 10'
  expect_exit 0 cli train photos --preset fast --skip-check
  contains last.out "uploading 10 photos"
  ;;

demo_photos)
  expect_exit 0 cli demo-photos out --count 5
  [ "$(ls out/*.png | wc -l)" -eq 5 ] || fail "5 PNGs"
  [ "$(ls out/*.txt | wc -l)" -eq 5 ] || fail "5 captions"
  [ "$(head -c 8 out/portrait_01.png | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "PNG signature"
  cmp -s out/portrait_01.png out/portrait_02.png && fail "photos should differ"
  contains out/portrait_03.txt "[trigger]"
  expect_exit 0 cli --json demo-photos out2 --count 2
  jq_true last.out '.count == 2'
  ;;

dry_run)
  expect_exit 0 cli train https://example.invalid/faces.zip --preset fast --trigger "ohwx person" --dry-run
  jq_true last.out '.images_data_url == "https://example.invalid/faces.zip" and .steps == 500 and .learning_rate == 0.0003 and .trigger_phrase == "ohwx person"'
  expect_exit 0 cli train https://example.invalid/faces.zip --style artistic --preset quality --dry-run
  jq_true last.out '.data_url == "https://example.invalid/faces.zip" and .iterations == 1000'
  expect_exit 0 cli train https://example.invalid/f.zip --trainer fal-ai/flux-lora-fast-training --steps 321 --dry-run
  jq_true last.out '.images_data_url and .steps == 321'
  ;;

usage_errors)
  expect_exit 1 cli
  expect_exit 1 cli frobnicate
  contains last.err "unknown command"
  expect_exit 1 cli presets --bogus
  contains last.err "unknown option '--bogus'"
  expect_exit 1 cli train
  expect_exit 1 cli train photos --preset extreme
  expect_exit 1 cli train photos --steps many
  expect_exit 1 cli generate --lora https://example.invalid/l.safetensors
  contains last.err "--prompt"
  expect_exit 1 cli status
  expect_exit 1 cli status some-request-id
  contains last.err "--endpoint"
  expect_exit 1 cli --json status some-request-id
  jq_true last.out '.error.code == "invalid_argument"'
  ;;

input_errors)
  photos few 2
  expect_exit 6 cli train few
  contains last.err "at least"
  mkdir bad
  cp few/portrait_01.png bad/a.png
  echo "not a photo" >bad/b.jpg
  expect_exit 6 cli train bad
  contains last.err "b.jpg"
  expect_exit 6 cli train does-not-exist
  expect_exit 6 cli --json train few
  jq_true last.out '.error.code == "invalid_argument"'
  ;;

train_wait)
  photos photos 10
  expect_exit 0 cli train photos --skip-check --preset fast --trigger "ohwx person" --avatar demo1 \
    --wait --poll-interval 0.3 --save handle.json --output training.json
  contains last.out "uploading 10 photos"
  contains last.out "submitted test_demo1_"
  contains last.out "training completed"
  contains last.out "LoRA file:"
  grep -q '^progress: ' last.out || fail "plain progress lines when not a TTY"
  grep -q $'\r' last.out && fail "no carriage returns when not a TTY"
  jq_true handle.json '(.request_id | startswith("test_demo1_")) and .endpoint_id == "fal-ai/flux-lora-portrait-trainer"'
  jq_true training.json '.diffusers_lora_file.url | startswith("http")'
  ;;

train_wait_json)
  photos photos 10
  expect_exit 0 cli --json train photos --skip-check --style artistic --preset fast --wait --poll-interval 0.3
  # Every line is JSON; submitted first, progress events, completed last.
  while IFS= read -r line; do jq -e . >/dev/null <<<"$line" || fail "not JSON: $line"; done <last.out
  head -1 last.out >first.json
  tail -1 last.out >final.json
  jq_true first.json '.event == "submitted" and .trainer == "fal-ai/flux-pro-trainer" and .steps == 200 and .handle.request_id != ""'
  grep -q '"event":"progress"' last.out || fail "progress events"
  jq_true final.json '.event == "completed" and .result.kind == "finetune_id" and (.result.finetune_id | length > 0)'
  ;;

generate)
  photos photos 10
  expect_exit 0 cli train photos --skip-check --preset fast --wait --poll-interval 0.3 --output training.json
  expect_exit 0 cli generate --training training.json --prompt "photo of ohwx person on a beach"
  grep -Eq '^image: https?://' last.out || fail "image URL"
  expect_exit 0 cli --json generate --training training.json --prompt "ohwx person" --num-images 2 --seed 42
  jq_true last.out '.event == "generated" and (.result.images | length == 2) and (.result.images[0].url | startswith("http"))'
  # Seeds beyond int64 survive as exact JSON numbers (jq would round them, so grep the text).
  expect_exit 0 cli --json generate --training training.json --prompt "ohwx person" --seed 17454220438242315174
  contains last.out '"seed":17454220438242315174'
  expect_exit 1 cli generate --training training.json --prompt "x" --seed -1
  expect_exit 0 cli --json generate --lora "$(jq -r .diffusers_lora_file.url training.json)" --prompt "ohwx person"
  jq_true last.out '.result.images | length == 1'
  ;;

handle_file_commands)
  start_sim 2
  photos photos 10
  expect_exit 0 cli train photos --skip-check --preset fast --save handle.json
  contains last.out "handle saved to handle.json"
  expect_exit 0 cli status handle.json
  grep -Eq ': (IN_QUEUE|IN_PROGRESS|COMPLETED)' last.out || fail "status line"
  expect_exit 0 cli --json status handle.json
  jq_true last.out '(.status | test("IN_QUEUE|IN_PROGRESS|COMPLETED")) and (.logs | type == "array")'
  expect_exit 0 cli watch handle.json --preset fast --poll-interval 0.3 --output result.json
  grep -q '^progress: ' last.out || fail "plain progress lines"
  contains last.out "completed"
  contains last.out "LoRA file:"
  jq_true result.json '.diffusers_lora_file.url | startswith("http://127.0.0.1:")'
  expect_exit 0 cli --json status handle.json
  jq_true last.out '.status == "COMPLETED" and .phase == "completed"'
  expect_exit 0 cli result handle.json
  contains last.out "LoRA file:"
  expect_exit 0 cli --json result handle.json
  jq_true last.out '.result.kind == "lora_file" and (.result.lora_file.url | length > 0)'
  expect_exit 0 cli --json cancel handle.json
  jq_true last.out '.outcome == "already_completed"'
  expect_exit 0 cli cancel handle.json
  contains last.out "already completed"
  expect_exit 0 cli --json generate handle.json --prompt "ohwx person"
  jq_true last.out '.result.images | length == 1'
  ;;

watch_stream_and_poll)
  start_sim 2
  photos photos 10
  expect_exit 0 cli train photos --skip-check --preset fast --save handle.json
  # By default watch follows the status stream (server-sent events): no status polls.
  expect_exit 0 cli --verbose watch handle.json --preset fast
  contains last.err "/status/stream (status stream, connection 1)"
  if grep -q '/status (attempt' last.err; then cat last.err; fail "watch polled although the stream worked"; fi
  grep -q '^progress: ' last.out || fail "plain progress lines"
  contains last.out "completed"
  # --poll: status polls only, never the stream.
  expect_exit 0 cli --verbose watch handle.json --poll --poll-interval 0.3
  contains last.err "/status (attempt 1)"
  if grep -q 'status/stream' last.err; then cat last.err; fail "--poll opened the status stream"; fi
  contains last.out "completed"
  # train --wait follows the stream too, and --poll works there as well.
  expect_exit 0 cli --verbose train photos --skip-check --preset fast --wait
  contains last.err "(status stream, connection 1)"
  expect_exit 0 cli --verbose train photos --skip-check --preset fast --wait --poll --poll-interval 0.3
  if grep -q 'status/stream' last.err; then cat last.err; fail "train --wait --poll opened the status stream"; fi
  ;;

request_id_commands)
  start_sim 2
  photos photos 10
  expect_exit 0 cli --json train photos --skip-check --preset fast
  id=$(jq -r .handle.request_id last.out)
  ep=$(jq -r .handle.endpoint_id last.out)
  expect_exit 0 cli --json watch "$id" --endpoint "$ep" --poll-interval 0.3
  jq_true <(tail -1 last.out) '.event == "completed" and .result.kind == "lora_file"'
  expect_exit 0 cli --json result "$id" --endpoint "$ep"
  jq_true last.out '.result.lora_file.url | length > 0'
  expect_exit 0 cli --json status "$id" --endpoint "$ep"
  jq_true last.out '.status == "COMPLETED"'
  ;;

cancel_running)
  start_sim 30
  photos photos 10
  expect_exit 0 cli train photos --skip-check --save handle.json
  expect_exit 0 cli --json cancel handle.json
  jq_true last.out '.outcome == "requested" or .outcome == "cancelled"'
  ;;

watch_timeout)
  start_sim 60
  photos photos 10
  expect_exit 0 cli train photos --skip-check --save handle.json
  expect_exit 4 cli watch handle.json --timeout 1 --poll-interval 0.2
  contains last.err "deadline"
  expect_exit 4 cli --json watch handle.json --timeout 1 --poll-interval 0.2 --cancel-on-interrupt
  jq_true <(tail -1 last.out) '.error.code == "deadline_exceeded"'
  ;;

watch_interrupt)
  start_sim 60
  photos photos 10
  expect_exit 0 cli train photos --skip-check --save handle.json
  "$FALTRAIN_CLI" watch handle.json --poll-interval 0.2 --cancel-on-interrupt >watch.out 2>watch.err &
  watcher=$!
  # Signal only once it is watching (its first progress line), so the handler is surely installed.
  for _ in $(seq 1 200); do grep -q '^progress: ' watch.out && break; sleep 0.05; done
  grep -q '^progress: ' watch.out || fail "watch printed no progress"
  # SIGTERM: a non-interactive shell starts background jobs with SIGINT ignored, which the CLI
  # respects; both signals go through the same cancel path.
  kill -TERM "$watcher"
  code=0
  wait "$watcher" || code=$?
  [ "$code" -eq 5 ] || { cat watch.out watch.err; fail "expected exit 5 after SIGTERM, got $code"; }
  contains watch.err "cancelled"
  # --cancel-on-interrupt asked fal to cancel: the request ends as failed ("cancelled"), exit 3.
  expect_exit 3 cli --json watch handle.json --poll-interval 0.2 --timeout 30
  tail -1 last.out >final.json
  jq_true final.json '.error.code == "request_failed" and (.error.message | test("cancel"; "i"))'
  expect_exit 3 cli --json status handle.json
  jq_true last.out '.status == "COMPLETED" and .error_type == "client_cancelled"'
  ;;

watch_tty)
  command -v script >/dev/null || fail "script (util-linux/bsdutils) is needed"
  start_sim 3
  photos photos 10
  expect_exit 0 cli train photos --skip-check --preset fast --save handle.json
  script -qec "'$FALTRAIN_CLI' watch handle.json --preset fast --poll-interval 0.3" /dev/null >tty.out 2>&1 \
    || fail "watch under a pseudo-terminal failed: $(cat tty.out)"
  grep -q $'\r' tty.out || fail "no carriage return: the bar was not redrawn in place"
  grep -q '\[#*-*\] ' tty.out || fail "no progress bar"
  grep -q 'ETA\|elapsed' tty.out || fail "no timing in the bar"
  grep -q 'completed' tty.out || fail "no completion"
  grep -q '^progress: ' tty.out && fail "plain lines on a TTY"
  # More than one redraw of the same line: several \r-separated states.
  [ "$(tr -cd '\r' <tty.out | wc -c)" -ge 2 ] || fail "expected several redraws"
  ;;

still_running_and_messages)
  # `result` before the request finished: its own words and exit code, not "request failed".
  start_sim 120
  photos photos 10
  expect_exit 0 cli train photos --skip-check --preset fast --save handle.json
  expect_exit 8 cli result handle.json
  contains last.err "still running"
  contains last.err "use \`faltrain watch\`"
  expect_exit 8 cli --json result handle.json
  jq_true last.out '.code == "still_running" and (.status | test("IN_QUEUE|IN_PROGRESS"))'
  expect_exit 0 cli cancel handle.json
  # A key that is not key_id:key_secret is refused before any request (nothing listens on port 9).
  export FALTRAIN_QUEUE_URL=http://127.0.0.1:9 FALTRAIN_REST_URL=http://127.0.0.1:9
  FAL_KEY=only-a-secret expect_exit 2 cli status req-1 --endpoint fal-ai/flux-lora-portrait-trainer
  contains last.err "key_id:key_secret"
  grep -q "connect" last.err && fail "a malformed key must be reported before connecting"
  grep -q "only-a-secret" last.err && fail "the key was echoed"
  # An unreachable host: the cause is named once.
  FAL_KEY=id:secret expect_exit 2 cli status req-1 --endpoint fal-ai/flux-lora-portrait-trainer
  [ "$(grep -o 'could not connect' last.err | wc -l)" -eq 1 ] || { cat last.err; fail "cause named more than once"; }
  ;;

unknown_request)
  start_sim 2
  expect_exit 2 cli status no-such-request --endpoint fal-ai/flux-lora-portrait-trainer
  expect_exit 2 cli --json result no-such-request --endpoint fal-ai/flux-lora-portrait-trainer
  jq_true last.out '.error.code == "not_found" or .error.http_status == 404'
  ;;

verify_webhook)
  id=$("$WEBHOOK_FIXTURE" "$WORK") || fail "fixture"
  expect_exit 0 cli verify-webhook --headers headers.txt --body body.json --jwks jwks.json
  contains last.out "valid signature: webhook for $id, status OK"
  contains last.out "LoRA file:"
  expect_exit 0 cli --json verify-webhook --headers headers.txt --body body.json --jwks jwks.json
  jq_true last.out ".valid and .succeeded and .request_id == \"$id\" and .result.kind == \"lora_file\""
  user=$(sed -n 's/^[Xx]-[Ff]al-[Ww]ebhook-[Uu]ser-[Ii]d: //p' headers.txt | tr -d '\r')
  expect_exit 0 cli verify-webhook --headers headers.txt --body body.json --jwks jwks.json --user-id "$user"
  # Any change to the signed bytes, a different pinned user, or a missing header is rejected.
  { cat body.json; printf ' '; } >tampered.json
  expect_exit 7 cli verify-webhook --headers headers.txt --body tampered.json --jwks jwks.json
  expect_exit 7 cli --json verify-webhook --headers headers.txt --body body.json --jwks jwks.json --user-id someone-else
  jq_true last.out '.error.code == "signature_invalid"'
  grep -iv '^x-fal-webhook-signature:' headers.txt >unsigned.txt
  expect_exit 7 cli verify-webhook --headers unsigned.txt --body body.json --jwks jwks.json
  expect_exit 1 cli verify-webhook --body body.json --jwks jwks.json
  ;;

*)
  fail "unknown case"
  ;;
esac
echo "PASS [$CASE]"
