# vcpkg port for faltrain. Use it as an overlay port:
#   vcpkg install faltrain --overlay-ports=<faltrain>/ports
# Building from a local checkout instead of a release tarball (no hash needed):
#   FALTRAIN_SOURCE_DIR=<checkout> VCPKG_KEEP_ENV_VARS=FALTRAIN_SOURCE_DIR vcpkg install ...
if(DEFINED ENV{FALTRAIN_SOURCE_DIR})
  set(SOURCE_PATH "$ENV{FALTRAIN_SOURCE_DIR}")
else()
  # The hash is that of the GitHub tarball of tag v${VERSION}; set it when the tag is published
  # (vcpkg prints the actual value on a mismatch).
  vcpkg_from_github(
    OUT_SOURCE_PATH SOURCE_PATH
    REPO faltrain/faltrain
    REF "v${VERSION}"
    SHA512 0
    HEAD_REF main
  )
endif()

# faltrain finds libzip through its pkg-config file (libzip's CMake package is broken on Debian 12).
vcpkg_find_acquire_program(PKGCONFIG)

# One feature per optional component; faltrain::client is always built.
vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES
    webhooks FALTRAIN_WITH_WEBHOOKS
    jobs     FALTRAIN_WITH_JOBS
    sqlite   FALTRAIN_WITH_SQLITE
    postgres FALTRAIN_WITH_POSTGRES
    testing  FALTRAIN_WITH_TESTING
    preflight FALTRAIN_WITH_PREFLIGHT
)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    ${FEATURE_OPTIONS}
    -DFALTRAIN_BUILD_TESTS=OFF
    -DFALTRAIN_BUILD_EXAMPLES=OFF
    -DFALTRAIN_BUILD_BENCHMARKS=OFF
    -DFALTRAIN_BUILD_FUZZERS=OFF
    -DFALTRAIN_INSTALL=ON
    "-DPKG_CONFIG_EXECUTABLE=${PKGCONFIG}"
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH lib/cmake/faltrain)
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include" "${CURRENT_PACKAGES_DIR}/debug/share")

file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
