#pragma once
/// @file
/// faltrain::sqlite — the SQLite JobStore (link faltrain::sqlite).

#include <faltrain/sqlite/sqlite_job_store.hpp>
#include <faltrain/sqlite/statement.hpp>
