#pragma once
// What the user calls an avatar: a draft being put together in the bot's own store, or a training
// job in the shared faltrain::JobStore (which the webhook receiver updates too).

#include <faltrain/jobs/job_store.hpp>

#include <cstdint>
#include <string>

namespace faltrain_bot {

enum class AvatarStatus { kDraft, kPending, kTraining, kCompleted, kFailed, kCancelled };

struct Avatar {
  std::int64_t id = 0;   ///< the job id (0 for a draft)
  std::string name;
  std::string style;     ///< "portrait" / "artistic"; empty until chosen
  std::string preset;    ///< "fast" / "balanced" / "quality"; empty until chosen
  AvatarStatus status = AvatarStatus::kDraft;
  double progress = 0;   ///< percent, last known
  std::string error;     ///< why it failed
};

inline AvatarStatus StatusOf(faltrain::JobStatus s) {
  switch (s) {
    case faltrain::JobStatus::kPending: return AvatarStatus::kPending;
    case faltrain::JobStatus::kSubmitting: return AvatarStatus::kPending;  // "starting" to the user
    case faltrain::JobStatus::kTraining: return AvatarStatus::kTraining;
    case faltrain::JobStatus::kCompleted: return AvatarStatus::kCompleted;
    case faltrain::JobStatus::kFailed: return AvatarStatus::kFailed;
    case faltrain::JobStatus::kCancelled: return AvatarStatus::kCancelled;
  }
  return AvatarStatus::kFailed;
}

inline Avatar AvatarOf(const faltrain::Job& job) {
  Avatar a;
  a.id = job.id;
  a.name = job.name;
  a.style = job.style;
  a.preset = job.preset;
  a.status = StatusOf(job.status);
  a.progress = job.status == faltrain::JobStatus::kCompleted ? 100 : job.progress * 100;
  a.error = job.error;
  return a;
}

}  // namespace faltrain_bot
