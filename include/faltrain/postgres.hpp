#pragma once
/// @file
/// faltrain::postgres — the PostgreSQL JobStore for several instances (link faltrain::postgres).

#include <faltrain/postgres/postgres_job_store.hpp>
