#pragma once
/// @file
/// faltrain::client — TrainingClient and everything it stands on (link faltrain::client).
///
/// Naming, the same in every component:
///   - enumerators are `kCamelCase` (`AvatarStyle::kPortrait`), except `errc`, whose names follow
///     `std::errc` (`errc::invalid_argument`) because it is an error-code enum used beside std's;
///   - every public enum `X` has `std::string_view to_string(X) noexcept` and its inverse
///     `result<X> ParseX(std::string_view)` (case-insensitive, `errc::invalid_argument` listing the
///     valid names); a struct read from text has `static result<X> X::Parse(std::string_view)`;
///   - settings structs are `<Thing>Options` (see config.hpp).

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
