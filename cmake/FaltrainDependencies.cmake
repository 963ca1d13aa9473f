# Dependencies of the library components that are enabled (cmake/FaltrainComponents.cmake).
# Everything is PRIVATE to the components except Boost (the public result type is Boost.Outcome)
# and Threads; a static build's consumers still find the private ones (faltrainConfig.cmake).
find_package(Boost 1.74 REQUIRED)
find_package(Threads REQUIRED)
find_package(CURL REQUIRED)
find_package(simdjson REQUIRED)
find_package(fmt REQUIRED)
find_package(PkgConfig REQUIRED)
# libzip's CMake package is broken on Debian 12 (missing tool targets): use its pkg-config file.
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
if(FALTRAIN_WITH_WEBHOOKS OR FALTRAIN_WITH_TESTING)
  find_package(OpenSSL REQUIRED)
endif()
if(FALTRAIN_WITH_SQLITE)
  find_package(SQLite3 REQUIRED)
endif()
if(FALTRAIN_WITH_POSTGRES)
  find_package(PostgreSQL REQUIRED)  # libpq
endif()
if(FALTRAIN_WITH_PREFLIGHT)
  # Debian 12's per-module -dev packages ship no OpenCVConfig.cmake (only libopencv-dev does).
  include(FaltrainFindOpenCV)
  faltrain_find_opencv(REQUIRED)
endif()
