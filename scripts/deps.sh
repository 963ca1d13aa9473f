# Sourced by scripts/demo.sh and scripts/test.sh: installs the Debian 12 packages faltrain needs,
# skipping whatever is already there (so a second run, or a prepared machine, costs nothing).
#   faltrain_install_deps build   # library + example programs
#   faltrain_install_deps test    # everything the test suite, fuzzers and load tests use

FALTRAIN_BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config
  libcurl4-openssl-dev libsimdjson-dev libfmt-dev libboost-dev libssl-dev
  libcpp-httplib-dev libzip-dev zlib1g-dev libarchive-dev libsqlite3-dev libpq-dev libcli11-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-objdetect-dev opencv-data
)
FALTRAIN_TEST_PACKAGES=(
  "${FALTRAIN_BUILD_PACKAGES[@]}"
  doctest-dev clang libclang-rt-14-dev wrk postgresql tmux bsdutils jq sqlite3
  nodejs npm ccache python3-skimage
  doxygen graphviz   # the docs/reference test and the `docs` target (API reference)
)

faltrain_package_present() {
  case "$1" in
    # Node may come from NodeSource (its nodejs bundles npm, and Debian's npm would conflict).
    nodejs) command -v node >/dev/null 2>&1 && return 0 ;;
    npm) command -v npm >/dev/null 2>&1 && return 0 ;;
  esac
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}

faltrain_install_deps() {
  local list_name="$1" missing=() pkg
  local -n list="FALTRAIN_$(echo "$list_name" | tr '[:lower:]' '[:upper:]')_PACKAGES"
  for pkg in "${list[@]}"; do
    faltrain_package_present "$pkg" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "==> Debian packages: all ${#list[@]} present"
    return 0
  fi
  echo "==> Installing Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "error: missing packages (${missing[*]}) and not root; install them or run as root" >&2
      return 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q || return 1
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" || return 1
}
