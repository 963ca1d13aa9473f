#pragma once
// The receiver's notifier: a log line per finished job, and optionally a shell command.

#include <faltrain/jobs/processor.hpp>

#include <string>

/// Runs `sh -c command` with the job described in FALTRAIN_JOB_* environment variables (and the
/// notification's idempotency key in FALTRAIN_NOTIFICATION_KEY) and waits for it. Returns its exit
/// status, or -1 when it could not be started.
int RunNotifyCommand(const std::string& command, const faltrain::JobNotification& notification);
