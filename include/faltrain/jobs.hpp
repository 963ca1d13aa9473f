#pragma once
/// @file
/// faltrain::jobs — durable jobs: the JobStore interface, webhook processing, reconciliation (link faltrain::jobs).

#include <faltrain/jobs/job_store.hpp>
#include <faltrain/jobs/processor.hpp>
#include <faltrain/jobs/submission.hpp>
