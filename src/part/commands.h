// Commands: how a part adds sub-commands to `tongban` (Part::AddCommands). A part declares its
// options on the CLI11 sub-command it is given and a run function returning the exit code; a
// command that needs the deployment opens it from the config file through Open(), which opens
// every part as `serve` does (without serving), and finds its own part in the result.
// Not thread-safe (one command runs per process).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/status.h"
#include "part/part_set.h"

namespace tongban::part {

// The opened deployment, as a command sees it. Destroying it stops the parts' workers.
class Program {
 public:
  virtual ~Program() = default;
  virtual const PartSet& parts() const = 0;
  virtual store::Database& db() = 0;
  // Stops every part's workers (flushing their queues, e.g. the ledger sequencer's).
  virtual Status Stop() = 0;
};

// Opens the deployment of a config file: logging set up, every part configured and opened.
using ProgramOpener =
    std::function<Result<std::unique_ptr<Program>>(const std::filesystem::path& config_file)>;

class Commands {
 public:
  Commands(CLI::App& root, ProgramOpener opener) : root_(root), opener_(std::move(opener)) {}

  // Adds `name` under `parent` (the root when nullptr); `run` runs when it is the one chosen.
  CLI::App* Add(CLI::App* parent, const std::string& name, const std::string& description,
                std::function<int()> run);
  // A command group ("receipts") whose own sub-commands do the work.
  CLI::App* AddGroup(const std::string& name, const std::string& description);
  // The `-c,--config` option every command that opens the deployment has.
  static void AddConfigOption(CLI::App* command, std::filesystem::path& config);

  Result<std::unique_ptr<Program>> Open(const std::filesystem::path& config_file) const {
    return opener_(config_file);
  }

  // After parsing: the exit code of the chosen command, or nullopt when none of these was chosen.
  std::optional<int> RunChosen() const;

 private:
  CLI::App& root_;
  ProgramOpener opener_;
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands_;
};

// Prints "tongban <command>: <status>" and each field's reason on stderr; returns exit code 1.
int FailCommand(std::string_view command, const Status& status);

}  // namespace tongban::part
