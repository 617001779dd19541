// Commands; see commands.h.
#include "part/commands.h"

#include <cstdio>

namespace tongban::part {

CLI::App* Commands::Add(CLI::App* parent, const std::string& name, const std::string& description,
                        std::function<int()> run) {
  CLI::App* command = (parent == nullptr ? &root_ : parent)->add_subcommand(name, description);
  commands_.emplace_back(command, std::move(run));
  return command;
}

CLI::App* Commands::AddGroup(const std::string& name, const std::string& description) {
  // Two parts may share a group ("keys"): the first adds it.
  for (const auto& existing : root_.get_subcommands([](CLI::App*) { return true; })) {
    if (existing->get_name() == name) return existing;
  }
  CLI::App* group = root_.add_subcommand(name, description);
  group->require_subcommand(1);
  return group;
}

void Commands::AddConfigOption(CLI::App* command, std::filesystem::path& config) {
  command->add_option("-c,--config", config, "Config file")->capture_default_str();
}

std::optional<int> Commands::RunChosen() const {
  for (const auto& [command, run] : commands_) {
    if (command->parsed()) return run();
  }
  return std::nullopt;
}

int FailCommand(std::string_view command, const Status& status) {
  std::fprintf(stderr, "tongban %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               status.ToString().c_str());
  for (const auto& f : status.fields()) {
    std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.reason.c_str());
  }
  return 1;
}

}  // namespace tongban::part
