// tongban: the one binary. Parses the command line (CLI11) and calls a sub-command.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/data_folder.h"
#include "cli/logging.h"
#include "cli/parts.h"
#include "cli/version.h"
#include "part/commands.h"

int main(int argc, char** argv) {
  using namespace tongban::cli;
  // Every file and folder this process creates is its account's alone (cli/data_folder.h).
  RestrictNewFiles();
  CLI::App app{"Tongban (通办): verifiable digital government services in one binary"};
  app.require_subcommand(1);

  auto* version = app.add_subcommand("version", "Print the version and the crypto suites");

  InitOptions init;
  auto* init_cmd = app.add_subcommand("init", "Create a config, keys and a database in a folder");
  init_cmd->add_option("--dir", init.dir, "Folder to initialise")->capture_default_str();
  init_cmd->add_option("--suite", init.suite, "Ledger crypto suite: gm (SM3+SM2) or intl "
                                              "(SHA-256+Ed25519)")
      ->check(CLI::IsMember({"gm", "intl"}))
      ->capture_default_str();
  init_cmd->add_option("--origin", init.origin, "Ledger origin (first checkpoint line)")
      ->capture_default_str();
  init_cmd->add_flag("--force", init.force, "Overwrite an existing tongban.toml (keys are kept)");

  ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the server from a config file");
  serve_cmd->add_option("-c,--config", serve.config, "Config file")->capture_default_str();
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT, overrides server.listen");

  DemoOptions demo;
  auto* demo_cmd =
      app.add_subcommand("demo", "Initialise a demo folder, load demo data and serve it");
  demo_cmd->add_option("--listen", demo.listen, "HOST:PORT to serve on")->capture_default_str();
  demo_cmd->add_option("--dir", demo.dir, "Demo folder (created if missing)")->capture_default_str();
  demo_cmd->add_option("--suite", demo.suite, "Ledger crypto suite: gm or intl")
      ->check(CLI::IsMember({"gm", "intl"}))
      ->capture_default_str();

  WitnessOptions witness;
  auto* witness_cmd = app.add_subcommand(
      "witness", "Run a C2SP tlog-witness that cosigns checkpoints of the given logs");
  witness_cmd->add_option("--dir", witness.dir, "Folder for the witness key and state")
      ->capture_default_str();
  witness_cmd->add_option("--listen", witness.listen, "HOST:PORT")->capture_default_str();
  witness_cmd->add_option("--name", witness.name, "The witness's key name")->capture_default_str();
  witness_cmd->add_option("--log", witness.logs,
                          "Verifier key of a log to witness (repeat for several); see "
                          "GET /api/v1/ledger/key")
      ->required();

  // Every part's sub-commands (verify, audit, keys, receipts, verify-receipt, verify-license, ...).
  // Their options live in these part objects; a command opens its own deployment to run.
  const auto parts = MakeParts();
  tongban::part::Commands part_commands(app, OpenProgram);
  for (const auto& p : parts) p->AddCommands(part_commands);

  CLI11_PARSE(app, argc, argv);

  if (*version) {
    std::printf("tongban %s\nsuites: gm (SM3 + SM2, default), intl (SHA-256 + Ed25519)\n",
                tongban::cli::kVersion);
    return 0;
  }
  if (*init_cmd) return RunInit(init);
  if (*serve_cmd) return RunServe(serve);
  if (*demo_cmd) return RunDemo(demo);
  if (*witness_cmd) return RunWitness(witness);
  if (auto rc = part_commands.RunChosen()) {
    FlushLogs();
    return *rc;
  }
  return 2;
}
