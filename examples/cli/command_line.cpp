#include "command_line.hpp"

#include <faltrain/client/version.hpp>

#include <CLI/App.hpp>
#include <CLI/Config.hpp>
#include <CLI/Formatter.hpp>

#include <cstdio>
#include <map>

namespace faltrain_cli {
namespace {

// A subcommand per Command, each filling its own ParsedArgs.
struct Parser {
  CLI::App app{"Train avatar models on fal.ai and use them (faltrain " +
                   std::string(faltrain::version()) + ").",
               "faltrain"};
  bool json = false;
  bool verbose = false;
  std::map<const CLI::App*, const Command*> commands;
  std::map<const Command*, ParsedArgs> args;
  CLI::App* help = nullptr;

  Parser() {
    auto formatter = app.get_formatter();
    formatter->label("Usage", "usage");
    formatter->label("SUBCOMMAND", "COMMAND");
    formatter->column_width(26);
    app.footer(MainHelpFooter());
    app.add_flag("--json", json, "machine-readable output: one JSON object per line");
    app.add_flag("--verbose", verbose, "log requests and retries to stderr");
    app.set_version_flag("--version", "faltrain " + std::string(faltrain::version()));
    app.allow_extras();
    for (const auto& c : Commands()) {
      CLI::App* sub = app.add_subcommand(c.name, c.summary);
      sub->group("commands");
      sub->footer(c.details);
      AddOptions(*sub, c.options, c.arguments, args[&c]);
      commands[sub] = &c;
    }
    help = app.add_subcommand("help", "show the help of a command");
    help->group("commands");
  }

  // The help of `shown` itself, also when a subcommand was chosen (App::help would show that).
  std::string HelpOf(const CLI::App& shown) const {
    std::string name = &shown == &app ? "faltrain" : "faltrain " + shown.get_name();
    return shown.get_formatter()->make_help(&shown, name, CLI::AppFormatMode::Normal);
  }

  int Usage(const std::string& who, const std::string& message, const CLI::App& shown) const {
    std::fprintf(stderr, "%s: %s\n\n%s", who.c_str(), message.c_str(), HelpOf(shown).c_str());
    return kExitUsage;
  }

  // `help COMMAND` parses as two subcommands: the second is the topic.
  int PrintHelp(const std::vector<CLI::App*>& chosen) const {
    const CLI::App* shown = chosen.size() > 1 ? chosen[1] : &app;
    std::fputs(HelpOf(*shown).c_str(), stdout);
    return kExitOk;
  }

  // Unknown words before the command name it; an unknown option or a surplus argument after it is
  // a usage error.
  std::optional<int> CheckRemaining(const CLI::App* sub) const {
    if (!app.remaining().empty()) {
      const std::string word = app.remaining().front();
      if (word.rfind('-', 0) == 0) return Usage("faltrain", "unknown option '" + word + "'", app);
      return Usage("faltrain", "unknown command '" + word + "'", app);
    }
    if (sub != nullptr && sub != help && !sub->remaining().empty()) {
      const std::string word = sub->remaining().front();
      return Usage("faltrain " + sub->get_name(),
                   (word.rfind('-', 0) == 0 ? "unknown option '" : "unexpected argument '") + word + "'",
                   *sub);
    }
    return std::nullopt;
  }
};

}  // namespace

Invocation ParseCommandLine(int argc, char** argv, Context& ctx) {
  Invocation out;
  Parser parser;
  const CLI::App* sub = nullptr;
  try {
    parser.app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out.exit_code = parser.app.exit(e);  // prints the help of the command it was given to
    return out;
  } catch (const CLI::CallForVersion& e) {
    out.exit_code = parser.app.exit(e);
    return out;
  } catch (const CLI::ParseError& e) {
    auto chosen = parser.app.get_subcommands();
    const CLI::App& shown = chosen.empty() ? parser.app : *chosen.front();
    out.exit_code = parser.Usage(chosen.empty() ? "faltrain" : "faltrain " + shown.get_name(), e.what(),
                                 shown);
    return out;
  }
  const std::vector<CLI::App*> chosen = parser.app.get_subcommands();
  if (!chosen.empty()) sub = chosen.front();
  if ((out.exit_code = parser.CheckRemaining(sub))) return out;
  if (sub == parser.help) {
    out.exit_code = parser.PrintHelp(chosen);
    return out;
  }
  if (chosen.size() > 1) {
    out.exit_code = parser.Usage("faltrain", "one command at a time, not '" + chosen[1]->get_name() + "' too",
                                 parser.app);
    return out;
  }
  if (sub == nullptr) {
    std::fputs(parser.HelpOf(parser.app).c_str(), stderr);
    out.exit_code = kExitUsage;
    return out;
  }
  out.command = parser.commands.at(sub);
  out.args = std::move(parser.args.at(out.command));
  ctx.json = parser.json || out.args.Has("json");
  ctx.verbose = parser.verbose || out.args.Has("verbose");
  return out;
}

}  // namespace faltrain_cli
