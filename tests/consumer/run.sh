#!/usr/bin/env bash
# Consumer tests: programs built the way users build them, against an INSTALLED faltrain.
#   run.sh install PREFIX WORK      (a) client only, (b) everything, (c) pkg-config, component errors
#   run.sh partial PREFIX WORK      against a prefix built without faltrain::postgres
#   run.sh deb BUILD_DIR WORK       (d) the .deb from CPack: dpkg -i, build against /usr, dpkg -r
# One line per check ("consumer: <check>: ok" or "... FAILED: why"), then
# "consumer-summary: passed=N failed=M". Exit status 0 only when nothing failed.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE="$1"
TARGET="$2"
WORK="$3"
JOBS="${FALTRAIN_JOBS:-2}"
passed=0
failed=0
mkdir -p "$WORK"

ok() { echo "consumer: $1: ok${2:+ ($2)}"; passed=$((passed + 1)); }
bad() { echo "consumer: $1: FAILED: $2"; failed=$((failed + 1)); }

# cmake_project NAME SOURCE_DIR [cmake args...]: configure, build and ctest one consumer project.
cmake_project() {
  local name="$1" source="$2" build="$WORK/$1" log="$WORK/$1.log"
  shift 2
  rm -rf "$build"
  if cmake -S "$source" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug "$@" >"$log" 2>&1 &&
     cmake --build "$build" -j "$JOBS" >>"$log" 2>&1 &&
     ctest --test-dir "$build" --output-on-failure >>"$log" 2>&1; then
    ok "$name"
  else
    tail -40 "$log"
    bad "$name" "see $log"
    return 1
  fi
}

# The client-only program's link line names no storage backend, no HTTP server, no OpenCV, no
# other component, and no simulator code reaches the binary.
check_client_only_link() {
  local build="$WORK/client_only" line libs sims
  line=$(ninja -C "$build" -t commands consumer_client_only | tail -1)
  libs=$(tr ' ' '\n' <<<"$line" | grep -E '^-l|\.a$|\.so' | xargs -r -n1 basename | sort -u | tr '\n' ' ')
  echo "consumer: client_only link line libraries: $libs"
  if grep -qiE 'sqlite|libpq|-lpq|httplib|faltrain_(webhooks|jobs|sqlite|postgres|testing|preflight)|opencv' <<<"$line"; then
    bad client_only_link_line "it names more than the client needs: $libs"
  else
    ok client_only_link_line
  fi
  sims=$(nm -C "$build/consumer_client_only" | grep -cE 'faltrain::(v1::)?(Sim|detail::Sim|ScriptedTransport)')
  if [ "$sims" -eq 0 ]; then ok client_only_no_simulator_symbols; else
    bad client_only_no_simulator_symbols "$sims simulator symbols in the binary"
  fi
}

# pkg_config_build NAME MODULE SOURCE: a consumer built by g++ with flags from pkg-config only.
pkg_config_build() {
  local name="$1" module="$2" source="$3" exe="$WORK/$1" flags
  if ! flags=$(pkg-config --cflags --libs "$module" 2>&1); then
    bad "$name" "pkg-config $module: $flags"
    return
  fi
  # shellcheck disable=SC2086
  if g++ -std=c++17 -o "$exe" "$source" $flags >"$WORK/$name.log" 2>&1 && "$exe" >>"$WORK/$name.log" 2>&1; then
    ok "$name" "pkg-config $module"
  else
    tail -20 "$WORK/$name.log"
    bad "$name" "see $WORK/$name.log"
  fi
}

# expect_component_error NAME ASK PATTERN PREFIX: find_package must fail, naming the component.
expect_component_error() {
  local name="$1" ask="$2" pattern="$3" prefix="$4" log="$WORK/$1.log"
  rm -rf "$WORK/$name"
  if cmake -S "$HERE/component_errors" -B "$WORK/$name" -DCMAKE_PREFIX_PATH="$prefix" \
       "-DFALTRAIN_ASK=$ask" >"$log" 2>&1; then
    bad "$name" "find_package(faltrain COMPONENTS $ask) succeeded"
  elif grep -q "$pattern" "$log"; then
    ok "$name" "$(grep -m1 -o "$pattern.*" "$log")"
  else
    tail -20 "$log"
    bad "$name" "the error does not say '$pattern'"
  fi
}

case "$MODE" in
  install)
    prefix="$TARGET"
    cmake_project all "$HERE/all" -DCMAKE_PREFIX_PATH="$prefix"
    cmake_project client_only "$HERE/client_only" -DCMAKE_PREFIX_PATH="$prefix" && check_client_only_link
    export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    pkg_config_build pkgconfig_client faltrain-client "$HERE/client_only/main.cpp"
    pkg_config_build pkgconfig_all faltrain "$HERE/all/main.cpp"
    expect_component_error unknown_component "client;bogus" "no component 'bogus'" "$prefix"
    ;;
  partial)
    prefix="$TARGET"
    cmake_project partial_client_only "$HERE/client_only" -DCMAKE_PREFIX_PATH="$prefix"
    expect_component_error missing_component "client;postgres" "component 'postgres' is not installed" "$prefix"
    ;;
  deb)
    build="$TARGET"
    if [ "$(id -u)" -ne 0 ]; then
      echo "consumer: deb: skipped (dpkg -i needs root)"
    elif ! (cd "$build" && cpack -G DEB >"$WORK/cpack.log" 2>&1); then
      tail -30 "$WORK/cpack.log"
      bad deb_package "cpack -G DEB failed"
    else
      deb=$(ls "$build"/faltrain-dev_*_amd64.deb 2>/dev/null | head -1)
      if [ -z "$deb" ]; then bad deb_package "no faltrain-dev_<version>_amd64.deb in $build"; else
        ok deb_package "$(basename "$deb")"
        if dpkg -i "$deb" >"$WORK/dpkg.log" 2>&1; then
          ok deb_install
          [ -x /usr/bin/faltrain ] && ok deb_programs "/usr/bin/faltrain" || bad deb_programs "no /usr/bin/faltrain"
          cmake_project deb_all "$HERE/all"
          dpkg -r faltrain-dev >>"$WORK/dpkg.log" 2>&1
          if [ -e /usr/include/faltrain ] || dpkg -s faltrain-dev >/dev/null 2>&1; then
            bad deb_remove "faltrain-dev still installed"
          else
            ok deb_remove
          fi
        else
          cat "$WORK/dpkg.log"
          bad deb_install "dpkg -i failed"
        fi
      fi
    fi
    ;;
  *)
    echo "usage: run.sh install|partial PREFIX WORK  |  run.sh deb BUILD_DIR WORK" >&2
    exit 2
    ;;
esac
echo "consumer-summary: passed=$passed failed=$failed"
[ "$failed" -eq 0 ]
