#!/usr/bin/env bash
# The main job, offline: builds the demo (Release, preset "release") and runs faltrain-demo, which
# trains an avatar end to end in test mode with no key and no network: it starts faltrain-sim (the
# fal simulator) and the webhook receiver on 127.0.0.1, checks and uploads real photos, trains with live
# progress, receives the Ed25519-signed webhook into the job store, generates an image, prints a
# summary and stops what it started. See examples/demo/README.md.
# Arguments are passed to faltrain-demo (`bash scripts/demo.sh --help`).
# Knobs: FAL_MOCK_TRAINING_DURATION (simulated training seconds, default 8), FALTRAIN_JOBS (2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=deps.sh
source scripts/deps.sh
faltrain_install_deps build

JOBS="${FALTRAIN_JOBS:-2}"
mkdir -p build
echo "==> Building faltrain-demo (cmake --preset release)"
cmake --preset release >build/release.configure.log 2>&1 || { cat build/release.configure.log; exit 1; }
# The demo's target depends on faltrain-sim and the webhook receiver, which it starts.
cmake --build --preset release -j "$JOBS" --target faltrain_demo
demo=build/release/examples/demo/faltrain-demo
[ -x "$demo" ] || { echo "error: $demo was not built" >&2; exit 1; }
echo "==> Running $demo"
exec "$demo" "$@"
