#pragma once
// faltrain::client — TrainingClient and everything it stands on (link faltrain::client).

#include <faltrain/client/clock.hpp>
#include <faltrain/client/config.hpp>
#include <faltrain/client/curl_transport.hpp>
#include <faltrain/client/error.hpp>
#include <faltrain/client/job_monitor.hpp>
#include <faltrain/client/json_fields.hpp>
#include <faltrain/client/json_writer.hpp>
#include <faltrain/client/logging.hpp>
#include <faltrain/client/outputs.hpp>
#include <faltrain/client/presets.hpp>
#include <faltrain/client/progress.hpp>
#include <faltrain/client/queue.hpp>
#include <faltrain/client/result.hpp>
#include <faltrain/client/retry.hpp>
#include <faltrain/client/trainers.hpp>
#include <faltrain/client/training_client.hpp>
#include <faltrain/client/training_set.hpp>
#include <faltrain/client/transport.hpp>
#include <faltrain/client/version.hpp>
