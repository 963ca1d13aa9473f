#pragma once
// The JobStore contract's SQLite backend (see job_store_contract.hpp): a file database, because
// Reopen and ExecRaw need one, in a directory of this process's own that is removed at exit.
// Shared by tests/unit/job_store_test.cpp and tests/postgres/job_store_backends_test.cpp.

#include "support/error_text.hpp"

#include <faltrain/jobs/job_store.hpp>
#include <faltrain/sqlite/sqlite_job_store.hpp>

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace job_store_contract {

/// A fresh directory under the system temp directory, removed with this object.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("faltrain-jobs-" + std::to_string(::getpid()) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

struct SqliteFileBackend {
  static constexpr const char* kName = "sqlite";
  static std::filesystem::path Path() {
    static const TempDir dir;
    return dir.path / "contract.db";
  }
  static std::shared_ptr<faltrain::JobStore> Reopen(std::shared_ptr<faltrain::Clock> clock) {
    auto s = faltrain::OpenSqliteJobStore(Path(), {}, std::move(clock));
    REQUIRE_MESSAGE(s.has_value(), test_support::ErrorText(s));
    return s.value();
  }
  static std::shared_ptr<faltrain::JobStore> Open(std::shared_ptr<faltrain::Clock> clock) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(Path().string() + suffix);
    return Reopen(std::move(clock));
  }
  static std::string ExecRaw(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(Path().string().c_str(), &db);
    char* message = nullptr;
    std::string error;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      error = message ? message : "error";
    }
    sqlite3_free(message);
    sqlite3_close(db);
    return error;
  }
};

}  // namespace job_store_contract
