# Dependencies of the library itself. Everything here is PRIVATE to faltrain except Boost (the
# public result type is Boost.Outcome) and OpenSSL, which stays private too but must be found by
# consumers of a static build (see faltrainConfig.cmake.in).
find_package(CURL REQUIRED)
find_package(simdjson REQUIRED)
find_package(fmt REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)  # libpq, for PostgresJobStore
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
