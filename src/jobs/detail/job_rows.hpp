#pragma once
// Job and InboxEvent from one result row, for both JobStore backends (SQLite and PostgreSQL): they
// select the columns in the order listed here and keep times as Unix milliseconds, so a column added
// to one is read the same way in the other.
//   jobs:          id, user_id, name, style, preset, trainer, status, endpoint_id, request_id,
//                  gateway_request_id, status_url, response_url, cancel_url, progress, output_json,
//                  error, created_at, updated_at, training_started_at, finished_at, last_checked_at,
//                  notified_at, notify_claimed_until
//   webhook_inbox: request_id, body, user_id, signed_at, received_at, processed_at, processing_note,
//                  job_id, gateway_request_id
// A Row has Text(col) -> std::string, Int(col) -> std::int64_t, Double(col) -> double, Null(col) -> bool.

#include "faltrain/jobs/job_store.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace faltrain {
inline namespace v1 {
namespace detail {

inline std::int64_t ToUnixMillis(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline WallTime FromUnixMillis(std::int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

template <class Row>
std::optional<WallTime> OptionalTime(const Row& row, int col) {
  if (row.Null(col)) return std::nullopt;
  return FromUnixMillis(row.Int(col));
}

template <class Row>
Job ReadJobRow(const Row& row) {
  Job j;
  j.id = row.Int(0);
  j.user_id = row.Text(1);
  j.name = row.Text(2);
  j.style = row.Text(3);
  j.preset = row.Text(4);
  j.trainer = row.Text(5);
  auto status = ParseJobStatus(row.Text(6));
  j.status = status ? status.value() : JobStatus::kPending;  // the CHECK constraint forbids others
  j.handle.endpoint_id = row.Text(7);
  j.handle.request_id = row.Text(8);
  j.handle.gateway_request_id = row.Text(9);
  j.handle.status_url = row.Text(10);
  j.handle.response_url = row.Text(11);
  j.handle.cancel_url = row.Text(12);
  j.progress = row.Double(13);
  j.output_json = row.Text(14);
  j.error = row.Text(15);
  j.created_at = FromUnixMillis(row.Int(16));
  j.updated_at = FromUnixMillis(row.Int(17));
  j.training_started_at = OptionalTime(row, 18);
  j.finished_at = OptionalTime(row, 19);
  j.last_checked_at = OptionalTime(row, 20);
  j.notified_at = OptionalTime(row, 21);
  j.notify_claimed_until = OptionalTime(row, 22);
  return j;
}

template <class Row>
InboxEvent ReadInboxRow(const Row& row) {
  InboxEvent e;
  e.request_id = row.Text(0);
  e.body = row.Text(1);
  e.user_id = row.Text(2);
  e.signed_at = row.Int(3);
  e.received_at = FromUnixMillis(row.Int(4));
  e.processed = !row.Null(5);
  e.processing_note = row.Text(6);
  if (!row.Null(7)) e.job_id = row.Int(7);
  e.gateway_request_id = row.Text(8);
  return e;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
