#pragma once
// Parsing an example program's flags with CLI11 the same way in every program: help reads
// "usage: NAME [OPTIONS]", and every mistake becomes one message for the user.

#include <faltrain/client/result.hpp>

#include <CLI/App.hpp>
#include <CLI/Config.hpp>
#include <CLI/Formatter.hpp>

#include <cstddef>

namespace faltrain_examples {

/// Lower-case "usage:" and the option column `width` wide.
inline void SetHelpStyle(CLI::App& app, std::size_t width) {
  app.get_formatter()->label("Usage", "usage");
  app.get_formatter()->column_width(width);
}

/// Parses `argv` into what `app` binds: true when --help was asked (nothing else applied), or
/// `errc::invalid_argument` with CLI11's message, or "unknown flag '--x' (see --help)".
inline faltrain::result<bool> ParseFlags(CLI::App& app, int argc, const char* const* argv) {
  app.allow_extras();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return true;
  } catch (const CLI::ParseError& e) {
    return faltrain::fail(faltrain::errc::invalid_argument, e.what());
  }
  if (!app.remaining().empty()) {
    return faltrain::fail(faltrain::errc::invalid_argument,
                          "unknown flag '" + app.remaining().front() + "' (see --help)");
  }
  return false;
}

}  // namespace faltrain_examples
