#!/usr/bin/env bash
# Runs every faltrain test on Debian 12 (as root, or a user with sudo for missing packages):
#   1. installs missing Debian packages (scripts/deps.sh);
#   2. g++ C++17 Debug with examples and benchmarks built (benchmarks are not run), ctest;
#   3. cmake --install of that build into build/dev/prefix, then tests/consumer/run.sh: a client-only
#      consumer (its link line and symbols checked), one using every component through
#      <faltrain/faltrain.hpp>, two built with pkg-config only, unknown components refused, and the
#      CPack .deb installed with dpkg -i, used from /usr and removed with dpkg -r;
#   4. the no-postgres preset (FALTRAIN_WITH_POSTGRES=OFF, libpq not findable): build, ctest, install,
#      consumers against that prefix;
#   5. g++ C++20, ctest;  6. g++ C++17 with ASan + UBSan, ctest;
#      (the crash tests, ctest -L crash, run in the dev and ASan stages: the no-postgres and C++20
#      presets leave them out, as what they prove does not depend on either);
#   7. clang libFuzzer targets (when fuzz/CMakeLists.txt exists), each run for a bounded time
#      (FALTRAIN_FUZZ_SECONDS) with its seed corpus fuzz/corpus/<area>/.
# Ends with one line "N passed, N failed" (ctest tests plus consumer and fuzzer runs; a build that
# fails counts as one failure) and exits non-zero on any failure.
# Knobs: FALTRAIN_JOBS (2), FALTRAIN_FUZZ_SECONDS (60 per fuzzer), FALTRAIN_STAGES
# ("dev consumer partial cxx20 asan fuzz").
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
# shellcheck source=deps.sh
source scripts/deps.sh

JOBS="${FALTRAIN_JOBS:-2}"
FUZZ_SECONDS="${FALTRAIN_FUZZ_SECONDS:-60}"
STAGES="${FALTRAIN_STAGES:-dev consumer partial cxx20 asan fuzz}"
passed=0
failed=0
failures=()
start_time=$SECONDS

pass() { passed=$((passed + $1)); }
fail_one() { failed=$((failed + 1)); failures+=("$1"); echo "FAILED: $1"; }
want() { [[ " $STAGES " == *" $1 "* ]]; }
elapsed() { echo "$(( (SECONDS - start_time) / 60 ))m$(( (SECONDS - start_time) % 60 ))s"; }

if ! faltrain_install_deps test; then
  echo "0 passed, 1 failed"
  exit 1
fi

# Configures and builds one preset; returns non-zero (and records a failure) if either step fails.
build_preset() {
  local preset="$1"
  echo "==> [$(elapsed)] configure + build: $preset"
  if ! cmake --preset "$preset" >"build/$preset.configure.log" 2>&1; then
    cat "build/$preset.configure.log"
    fail_one "configure $preset"
    return 1
  fi
  if ! cmake --build --preset "$preset" -j "$JOBS"; then
    fail_one "build $preset"
    return 1
  fi
}

# Runs ctest for a preset and adds its counts to the totals.
run_ctest() {
  local preset="$1" log="build/$1/ctest.log" rc summary total nfailed
  echo "==> [$(elapsed)] ctest: $preset"
  ctest --preset "$preset" -j "$JOBS" --output-on-failure 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -n "$summary" ]; then
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
    nfailed=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
    pass $((total - nfailed))
    if [ "$nfailed" -gt 0 ]; then
      failed=$((failed + nfailed))
      failures+=("$nfailed ctest test(s) in $preset")
    elif [ "$rc" -ne 0 ]; then
      fail_one "ctest $preset (exit $rc)"
    fi
  else
    fail_one "ctest $preset (no test summary; exit $rc)"
  fi
}

# tests/consumer/run.sh MODE TARGET: consumer projects against an installed faltrain; adds its counts.
run_consumers() {
  local mode="$1" target="$2" log="build/consumer-$1.log" summary
  bash tests/consumer/run.sh "$mode" "$target" "$ROOT/build/consumer/$mode" 2>&1 | tee "$log"
  summary=$(grep -E '^consumer-summary: passed=[0-9]+ failed=[0-9]+' "$log" | tail -1)
  if [ -z "$summary" ]; then
    fail_one "consumer $mode (no summary)"
    return
  fi
  pass "$(sed -E 's/.*passed=([0-9]+).*/\1/' <<<"$summary")"
  local nfailed
  nfailed=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$summary")
  if [ "$nfailed" -gt 0 ]; then
    failed=$((failed + nfailed))
    failures+=("$nfailed consumer check(s) ($mode)")
  fi
}

# ccache, when installed, lets the no-postgres build reuse the dev build's objects.
if command -v ccache >/dev/null 2>&1; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
fi

mkdir -p build

if want dev && build_preset dev; then
  run_ctest dev
  if want consumer; then
    echo "==> [$(elapsed)] install + consumer projects (client only, everything, pkg-config, .deb)"
    prefix="$ROOT/build/dev/prefix"
    rm -rf "$prefix" build/consumer
    if cmake --install build/dev --prefix "$prefix" >build/install.log 2>&1; then
      run_consumers install "$prefix"
      run_consumers deb "$ROOT/build/dev"
    else
      cat build/install.log
      fail_one "cmake --install"
    fi
  fi
fi

# A build without faltrain::postgres, where PostgreSQL's libpq cannot even be found: it configures,
# builds, tests and installs, and its package refuses the missing component by name.
if want partial && build_preset no-postgres; then
  run_ctest no-postgres
  prefix="$ROOT/build/no-postgres/prefix"
  rm -rf "$prefix"
  if cmake --install build/no-postgres --prefix "$prefix" >build/install-partial.log 2>&1; then
    run_consumers partial "$prefix"
  else
    cat build/install-partial.log
    fail_one "cmake --install (no-postgres)"
  fi
fi

if want cxx20 && build_preset cxx20; then run_ctest cxx20; fi
if want asan && build_preset asan; then run_ctest asan; fi

if want fuzz && [ -f fuzz/CMakeLists.txt ]; then
  if build_preset fuzz; then
    echo "==> [$(elapsed)] fuzzers, ${FUZZ_SECONDS}s each"
    found=0
    while IFS= read -r fuzzer; do
      found=1
      name=$(basename "$fuzzer")
      corpus="build/fuzz/corpus/$name"
      mkdir -p "$corpus"
      # Seeds: fuzz/corpus/<area>/ for <area>_fuzzer (or fuzz/corpus/<name>/).
      seeds=()
      for dir in "fuzz/corpus/${name%_fuzzer}" "fuzz/corpus/$name"; do
        [ -d "$dir" ] && { seeds=("$ROOT/$dir"); break; }
      done
      echo "--> $name"
      if "$fuzzer" -max_total_time="$FUZZ_SECONDS" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
           -artifact_prefix="build/fuzz/$name-" "$corpus" "${seeds[@]}" \
           >"build/fuzz/$name.log" 2>&1; then
        pass 1
        tail -2 "build/fuzz/$name.log"
      else
        tail -40 "build/fuzz/$name.log"
        fail_one "fuzzer $name"
      fi
    done < <(find build/fuzz/fuzz -type f -perm -u+x -not -path '*/CMakeFiles/*' | sort)
    [ "$found" -eq 1 ] || fail_one "fuzz: no fuzzer executables under build/fuzz/fuzz"
  fi
fi

echo "==> [$(elapsed)] done"
for f in "${failures[@]}"; do echo "  failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
