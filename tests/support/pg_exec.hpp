#pragma once
// One SQL command on a fresh libpq connection, for tests that prepare a PostgreSQL database
// themselves (link PostgreSQL::PostgreSQL). Prints the server's message on failure.

#include <libpq-fe.h>

#include <iostream>
#include <string>

namespace test_support {

inline bool PgExec(const std::string& url, const char* sql) {
  PGconn* c = PQconnectdb(url.c_str());
  bool ok = PQstatus(c) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) std::cerr << PQresultErrorMessage(r);
    PQclear(r);
  } else {
    std::cerr << PQerrorMessage(c);
  }
  PQfinish(c);
  return ok;
}

}  // namespace test_support
