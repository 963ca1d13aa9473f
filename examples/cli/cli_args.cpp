#include "cli_args.hpp"

#include <algorithm>
#include <charconv>

namespace faltrain_cli {
namespace {

using faltrain::errc;
using faltrain::fail;

// The option's whole value in decimal, range checked (CLI11 2.1 would take "-1" as 2^64-1 and
// "010" as octal).
template <typename T>
faltrain::result<std::optional<T>> Convert(const ParsedArgs& args, const std::string& name,
                                           const char* wanted) {
  auto v = args.Value(name);
  if (!v) return std::optional<T>();
  T out{};
  const char* end = v->data() + v->size();
  auto [ptr, ec] = std::from_chars(v->data(), end, out);
  if (v->empty() || ec != std::errc() || ptr != end) {
    return fail(errc::invalid_argument, "--" + name + " needs " + wanted + ", got '" + *v + "'");
  }
  return std::optional<T>(out);
}

}  // namespace

std::optional<std::string> ParsedArgs::Value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string ParsedArgs::ValueOr(const std::string& name, std::string fallback) const {
  auto v = Value(name);
  return v ? *v : std::move(fallback);
}

faltrain::result<std::optional<long long>> ParsedArgs::Integer(const std::string& name) const {
  return Convert<long long>(*this, name, "an integer");
}

faltrain::result<std::optional<unsigned long long>> ParsedArgs::Unsigned(const std::string& name) const {
  return Convert<unsigned long long>(*this, name, "a non-negative integer below 2^64");
}

faltrain::result<std::optional<double>> ParsedArgs::Number(const std::string& name) const {
  return Convert<double>(*this, name, "a number");
}

void AddOptions(CLI::App& app, const std::vector<OptionSpec>& specs, const std::string& arguments,
                ParsedArgs& out) {
  for (const auto& spec : specs) {
    const std::string& name = spec.name;
    if (spec.takes_value) {
      app.add_option_function<std::string>(
             "--" + name, [&out, name](const std::string& v) { out.SetValue(name, v); }, spec.help)
          ->type_name(spec.value_name.empty() ? "VALUE" : spec.value_name);
    } else {
      app.add_flag_callback("--" + name, [&out, name] { out.SetFlag(name); }, spec.help);
    }
  }
  // "SOURCE" or "[HANDLE]": one positional; a command without arguments takes none.
  std::string positional = arguments;
  positional.erase(std::remove_if(positional.begin(), positional.end(),
                                  [](char c) { return c == '[' || c == ']'; }),
                   positional.end());
  if (!positional.empty()) app.add_option(positional, out.positional)->expected(0, 1);
  app.allow_extras();
}

}  // namespace faltrain_cli
