#!/usr/bin/env bash
# The main job, offline: builds what it needs (Release, preset "release") and trains an avatar end
# to end in test mode (AVATAR_TEST_MODE=true: the built-in fal simulator, no key, no network).
#   - With the end-to-end demo program (examples/demo, target faltrain-demo) it runs that.
#   - Otherwise it drives the `faltrain` CLI: generated photos -> zip + upload -> training with a
#     live progress bar (--wait) -> result -> an image generated with the new avatar.
# Knobs: FAL_MOCK_TRAINING_DURATION (simulated training seconds, default 8), FALTRAIN_JOBS (2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
# shellcheck source=deps.sh
source scripts/deps.sh
faltrain_install_deps build

JOBS="${FALTRAIN_JOBS:-2}"
echo "==> Building (cmake --preset release)"
cmake --preset release >build-release-configure.log 2>&1 || { cat build-release-configure.log; exit 1; }
rm -f build-release-configure.log
if [ -f examples/demo/CMakeLists.txt ]; then
  cmake --build --preset release -j "$JOBS"
  demo=$(find build/release/examples/demo -maxdepth 1 -type f -perm -u+x \
           \( -name faltrain-demo -o -name faltrain_demo \) | head -1)
  if [ -n "$demo" ]; then
    echo "==> Running $demo"
    exec "$demo" "$@"
  fi
  echo "(no demo executable found; falling back to the CLI story)"
else
  cmake --build --preset release -j "$JOBS" --target faltrain_cli
fi

FALTRAIN="$ROOT/build/release/examples/cli/faltrain"
OUT="$ROOT/build/demo"
rm -rf "$OUT"
mkdir -p "$OUT"
export AVATAR_TEST_MODE=true
export FAL_MOCK_TRAINING_DURATION="${FAL_MOCK_TRAINING_DURATION:-8}"
unset FAL_KEY FAL_KEY_ID FAL_KEY_SECRET FAL_API_KEY FALTRAIN_QUEUE_URL FALTRAIN_REST_URL

step() { printf '\n==> %s\n' "$*"; }

step "Quality presets for portrait avatars"
"$FALTRAIN" presets --style portrait

step "Twelve demo portraits (generated PNGs with [trigger] captions)"
"$FALTRAIN" demo-photos "$OUT/photos" --count 12

step "Training avatar 'demo' (portrait style, fast preset) against the offline simulator"
"$FALTRAIN" train "$OUT/photos" --style portrait --preset fast --trigger "ohwx person" \
  --avatar demo --wait --poll-interval 1 --save "$OUT/handle.json" --output "$OUT/training.json"

step "Generating an image with the trained avatar"
"$FALTRAIN" generate --training "$OUT/training.json" \
  --prompt "photo of ohwx person as an astronaut, studio light" --seed 17454220438242315174 \
  | tee "$OUT/generation.txt"

request_id=$(sed -n 's/.*"request_id":"\([^"]*\)".*/\1/p' "$OUT/handle.json")
lora=$(sed -n 's/.*"diffusers_lora_file":{[^}]*"url":"\([^"]*\)".*/\1/p' "$OUT/training.json")
image=$(sed -n 's/^image: \([^ ]*\).*/\1/p' "$OUT/generation.txt" | head -1)
step "Summary"
echo "  request id:   $request_id"
echo "  LoRA weights: ${lora:-?}"
echo "  image:        ${image:-?}"
echo "  files:        $OUT/{photos/,handle.json,training.json}"
echo "demo: OK"
