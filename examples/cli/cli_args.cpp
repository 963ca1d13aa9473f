#include "cli_args.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace faltrain_cli {

using faltrain::errc;
using faltrain::fail;

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
  auto v = Value(name);
  if (!v) return std::optional<long long>();
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno == ERANGE) {
    return fail(errc::invalid_argument, "--" + name + " needs an integer, got '" + *v + "'");
  }
  return std::optional<long long>(n);
}

faltrain::result<std::optional<unsigned long long>> ParsedArgs::Unsigned(const std::string& name) const {
  auto v = Value(name);
  if (!v) return std::optional<unsigned long long>();
  errno = 0;
  char* end = nullptr;
  unsigned long long n = std::strtoull(v->c_str(), &end, 10);
  if (v->empty() || (*v)[0] == '-' || *end != '\0' || errno == ERANGE) {
    return fail(errc::invalid_argument,
                "--" + name + " needs a non-negative integer below 2^64, got '" + *v + "'");
  }
  return std::optional<unsigned long long>(n);
}

faltrain::result<std::optional<double>> ParsedArgs::Number(const std::string& name) const {
  auto v = Value(name);
  if (!v) return std::optional<double>();
  errno = 0;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0' || errno == ERANGE) {
    return fail(errc::invalid_argument, "--" + name + " needs a number, got '" + *v + "'");
  }
  return std::optional<double>(d);
}

faltrain::result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                       const std::vector<OptionSpec>& specs) {
  ParsedArgs out;
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg.size() < 2 || arg.compare(0, 1, "-") != 0 || arg == "-") {
      out.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "-h") {
      out.SetFlag("help");
      continue;
    }
    if (arg.compare(0, 2, "--") != 0) {
      return fail(errc::invalid_argument, "unknown option '" + arg + "'");
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    auto spec = std::find_if(specs.begin(), specs.end(),
                             [&](const OptionSpec& s) { return s.name == name; });
    if (spec == specs.end()) return fail(errc::invalid_argument, "unknown option '--" + name + "'");
    if (!spec->takes_value) {
      if (inline_value) return fail(errc::invalid_argument, "--" + name + " takes no value");
      out.SetFlag(name);
      continue;
    }
    if (inline_value) {
      out.SetValue(name, *inline_value);
    } else if (i + 1 < args.size()) {
      out.SetValue(name, args[++i]);
    } else {
      return fail(errc::invalid_argument, "--" + name + " needs a value");
    }
  }
  return out;
}

std::string FormatOptions(const std::vector<OptionSpec>& specs) {
  std::string out;
  for (const auto& spec : specs) {
    std::string left = "  --" + spec.name;
    if (spec.takes_value) left += " " + (spec.value_name.empty() ? "VALUE" : spec.value_name);
    if (left.size() < 26) left.resize(26, ' ');
    else left += "  ";
    out += left + spec.help + "\n";
  }
  return out;
}

}  // namespace faltrain_cli
