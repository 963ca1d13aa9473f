#pragma once
// A command's options as CLI11 parses them: specs describe the options (and their help), and
// ParsedArgs keeps what the command line gave, for the command to read by name.

#include <faltrain/client/result.hpp>

#include <CLI/App.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace faltrain_cli {

struct OptionSpec {
  std::string name;       ///< without the leading "--"
  bool takes_value = false;
  std::string value_name; ///< for help, e.g. "SECONDS"
  std::string help;
};

class ParsedArgs {
 public:
  std::vector<std::string> positional;

  bool Has(const std::string& name) const { return flags_.count(name) || values_.count(name); }
  std::optional<std::string> Value(const std::string& name) const;
  std::string ValueOr(const std::string& name, std::string fallback) const;
  /// An integer option, or an error naming the option.
  faltrain::result<std::optional<long long>> Integer(const std::string& name) const;
  /// A non-negative integer up to 2^64-1 (seeds exceed int64).
  faltrain::result<std::optional<unsigned long long>> Unsigned(const std::string& name) const;
  faltrain::result<std::optional<double>> Number(const std::string& name) const;

  void SetFlag(const std::string& name) { flags_.insert(name); }
  void SetValue(const std::string& name, std::string value) { values_[name] = std::move(value); }

 private:
  std::set<std::string> flags_;
  std::map<std::string, std::string> values_;
};

/// Declares `specs` and the positional `arguments` ("SOURCE", "[HANDLE]", or "" for none) on
/// `app`; parsing fills `out`. Unknown words are left in `app.remaining()` for the caller to name.
void AddOptions(CLI::App& app, const std::vector<OptionSpec>& specs, const std::string& arguments,
                ParsedArgs& out);

}  // namespace faltrain_cli
