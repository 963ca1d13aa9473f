#include "postgres/detail/pg_connection.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

// libpq messages end with a newline and may span lines; one line reads better in a log.
std::string OneLine(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (auto& c : s) {
    if (c == '\n') c = ' ';
  }
  return s.empty() ? "unknown error" : s;
}

}  // namespace

std::string DescribePgTarget(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (!options) {
    PQfreemem(error);
    return "postgresql (unparsable connection string)";
  }
  std::string user, host, port, db;
  for (auto* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    std::string_view k = o->keyword;
    if (k == "user") user = o->val;
    if (k == "host" || (k == "hostaddr" && host.empty())) host = o->val;
    if (k == "port") port = o->val;
    if (k == "dbname") db = o->val;
  }
  PQconninfoFree(options);
  std::string out = "postgresql://";
  if (!user.empty()) out += user + "@";
  out += host.empty() ? "localhost" : host;
  if (!port.empty()) out += ":" + port;
  out += "/" + db;
  return out;
}

PgParam PgText(std::string_view v) { return std::string(v); }
PgParam PgInt(std::int64_t v) { return std::to_string(v); }
PgParam PgDouble(double v) { return fmt::format("{}", v); }

PgResult& PgResult::operator=(PgResult&& o) noexcept {
  if (this != &o) {
    if (r_) PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}

PgResult::~PgResult() {
  if (r_) PQclear(r_);
}

std::int64_t PgResult::affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  return *n ? std::strtoll(n, nullptr, 10) : 0;
}

std::string PgResult::text(int row, int col) const {
  return std::string(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
}

std::int64_t PgResult::integer(int row, int col) const {
  return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10);
}

double PgResult::real(int row, int col) const { return std::strtod(PQgetvalue(r_, row, col), nullptr); }

std::string PgResult::sqlstate() const {
  const char* s = r_ ? PQresultErrorField(r_, PG_DIAG_SQLSTATE) : nullptr;
  return s ? s : "";
}

PgConnection::PgConnection(std::string conninfo, std::string application_name, bool prepare)
    : conninfo_(std::move(conninfo)), application_name_(std::move(application_name)), prepare_(prepare) {}

PgConnection::~PgConnection() { Close(); }

void PgConnection::Close() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
  prepared_.clear();  // prepared statements live and die with the session
}

bool PgConnection::broken() const { return !conn_ || PQstatus(conn_) != CONNECTION_OK; }

result<void> PgConnection::Ensure() {
  if (!broken()) return success();
  Close();
  // The URL stays as given; application_name marks whose claims a session holds (see the store).
  const char* keywords[] = {"dbname", "application_name", "connect_timeout", nullptr};
  const char* values[] = {conninfo_.c_str(), application_name_.c_str(), "5", nullptr};
  conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string message = conn_ ? OneLine(PQerrorMessage(conn_)) : "out of memory";
    Close();
    return fail(errc::storage_error,
                fmt::format("postgres: cannot connect to {}: {}", DescribePgTarget(conninfo_), message));
  }
  // Quiet NOTICEs ("relation already exists") would otherwise go to stderr.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  return success();
}

result<PgResult> PgConnection::Exec(const char* sql, const std::vector<PgParam>& params,
                                    std::string* sqlstate) {
  if (sqlstate) sqlstate->clear();
  FALTRAIN_TRYV(Ensure());
  std::vector<const char*> values;
  std::vector<int> lengths;
  values.reserve(params.size());
  lengths.reserve(params.size());
  for (const auto& p : params) {
    values.push_back(p ? p->c_str() : nullptr);
    lengths.push_back(p ? static_cast<int>(p->size()) : 0);
  }
  const int count = static_cast<int>(params.size());
  const char* name = Prepared(sql, count);
  PGresult* raw = name ? PQexecPrepared(conn_, name, count, values.data(), lengths.data(), nullptr, 0)
                       : PQexecParams(conn_, sql, count, nullptr, values.data(), lengths.data(), nullptr, 0);
  PgResult r(raw);
  const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
  if (sqlstate) *sqlstate = r.sqlstate();
  const char* primary = raw ? PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  return fail(errc::storage_error,
              fmt::format("postgres: {}", primary ? std::string(primary) : OneLine(PQerrorMessage(conn_))));
}

// The server parses and plans a statement once per session instead of once per call. Statements
// built per call (a multi-row INSERT sized to its batch) stop being prepared once 64 are kept.
const char* PgConnection::Prepared(const char* sql, int params) {
  constexpr std::size_t kMaxPrepared = 64;
  if (!prepare_) return nullptr;
  auto found = prepared_.find(sql);
  if (found != prepared_.end()) return found->second.c_str();
  if (prepared_.size() >= kMaxPrepared) return nullptr;
  std::string name = "faltrain_" + std::to_string(prepared_.size() + 1);
  PGresult* made = PQprepare(conn_, name.c_str(), sql, params, nullptr);
  const bool ok = made && PQresultStatus(made) == PGRES_COMMAND_OK;
  PQclear(made);
  if (!ok) return nullptr;
  return prepared_.emplace(sql, std::move(name)).first->second.c_str();
}

result<void> PgConnection::ExecScript(const char* sql) {
  FALTRAIN_TRYV(Ensure());
  PGresult* raw = PQexec(conn_, sql);
  PgResult r(raw);
  const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return success();
  const char* primary = raw ? PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  return fail(errc::storage_error,
              fmt::format("postgres: {}", primary ? std::string(primary) : OneLine(PQerrorMessage(conn_))));
}

PgPool::PgPool(std::string conninfo, std::string application_name, std::size_t size, bool prepare) {
  if (size == 0) size = 1;
  for (std::size_t i = 0; i < size; ++i) {
    idle_.push_back(std::make_unique<PgConnection>(conninfo, application_name, prepare));
  }
}

PgPool::Lease::~Lease() {
  if (c_) pool_->Return(std::move(c_));
}

PgPool::Lease PgPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !idle_.empty(); });
  auto c = std::move(idle_.back());
  idle_.pop_back();
  return Lease(this, std::move(c));
}

void PgPool::Return(std::unique_ptr<PgConnection> c) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(c));
  }
  cv_.notify_one();
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
