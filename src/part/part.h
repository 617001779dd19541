// Part: what every part of the program (identity, ledger, receipt, license, and each new one)
// implements to plug in, and all `cli` knows of it. The program keeps one ordered list of parts
// (cli/parts.cc) and loops over it: configure each from its TOML section, apply the migrations in
// list order, open each (earlier parts first, so a part finds the ones it needs), add routes,
// metrics and readiness probes, load demo data, add sub-commands, start the background workers
// and stop them in reverse order. docs/architecture.md walks through adding a part.
//
// Anchors: userver's components (one list, each with its config schema), Envoy's extension
// factories. A part object is created cheaply (no I/O) by the list; everything that touches files,
// the database or threads happens in Initialise, Open and Start.
// Thread-safety: start-up and shut-down run on one thread; what a part hands out (services,
// route handlers, gauges) must be thread-safe once Open returned.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/dispatcher.h"
#include "api/metrics.h"
#include "api/router.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::identity {
class IdentityService;
}

namespace tongban::part {

class ConfigSection;
class Commands;
class DemoData;

// What `tongban init` was asked for: the ledger suite ("gm" or "intl") and the log's origin.
struct InitChoices {
  std::string suite = "gm";
  std::string origin = "tongban.example/ledger";
};

// What Open is given (part/part_set.h).
struct PartContext;

class Part {
 public:
  virtual ~Part() = default;

  // The part's name, as in the dependency table ("receipt").
  virtual std::string_view name() const = 0;
  // Its TOML section ([receipt]); the name unless a part kept an older one.
  virtual std::string_view config_section() const { return name(); }
  // Its section of the commented config file `tongban init` writes ("[receipt]\n..."), every
  // option with its default; empty when it has no options.
  virtual std::string DefaultConfig(const InitChoices&) const { return ""; }
  // Reads its section (absent = every default). Each option read through `section`, which
  // names "section.key" in errors; the list refuses keys nobody read afterwards. No I/O.
  virtual Status Configure(ConfigSection& section) {
    (void)section;
    return Status::Ok();
  }
  // `tongban init`: creates the files it needs once (keys, secrets); never overwrites one.
  virtual Status Initialise(const InitChoices& choices, const std::filesystem::path& base_dir) {
    (void)choices, (void)base_dir;
    return Status::Ok();
  }
  // Its schema, applied in list order on both databases before any part opens.
  virtual std::vector<store::Migration> Migrations() const { return {}; }
  // Opens its services. Errors name the file or option at fault.
  virtual Status Open(const PartContext& context) = 0;

  // Its HTTP routes, each with its access policy (api/router.h).
  virtual void AddRoutes(api::Router& router) { (void)router; }
  // Its gauges for /metrics.
  virtual void AddMetrics(api::Metrics& metrics) { (void)metrics; }
  // Probes for /readyz: (name, probe).
  virtual std::vector<std::pair<std::string, api::ReadinessProbe>> ReadinessProbes() { return {}; }

  // `tongban demo`: its demo accounts and records (synthetic people, docs/demo.md). Runs once per
  // demo folder, in list order; FinishDemo runs after every part's LoadDemo.
  virtual Status LoadDemo(DemoData& demo) {
    (void)demo;
    return Status::Ok();
  }
  virtual Status FinishDemo(DemoData& demo) {
    (void)demo;
    return Status::Ok();
  }

  // Its sub-commands of `tongban` (part/commands.h).
  virtual void AddCommands(Commands& commands) { (void)commands; }

  // Background workers (sequencer, indexers, sweeps): started in list order, stopped in reverse.
  // Stop leaves no thread behind and flushes what it queued.
  virtual Status Start() { return Status::Ok(); }
  virtual Status Stop() { return Status::Ok(); }
};

}  // namespace tongban::part

