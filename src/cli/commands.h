// The tongban sub-commands. Each returns a process exit code; main.cc only parses arguments.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tongban::cli {

struct InitOptions {
  std::filesystem::path dir = ".";
  std::string suite = "gm";
  std::string origin = "tongban.example/ledger";
  bool force = false;  // overwrite an existing config (never existing keys)
};
// Writes tongban.toml, generates the ledger key and subject secret, creates and migrates the DB.
int RunInit(const InitOptions& options);

struct ServeOptions {
  std::filesystem::path config = "tongban.toml";
  std::optional<std::string> listen;  // overrides server.listen
};
int RunServe(const ServeOptions& options);

struct DemoOptions {
  std::filesystem::path dir = "tongban-demo";
  std::string listen = "127.0.0.1:8080";
  std::string suite = "gm";
};
// Initialises `dir` if needed, loads demo data, prints the demo accounts and serves.
int RunDemo(const DemoOptions& options);

struct WitnessOptions {
  std::filesystem::path dir = "tongban-witness";  // holds witness.key and witness.db
  std::string listen = "127.0.0.1:9001";
  std::string name = "witness.tongban.example";   // the witness's key name
  std::vector<std::string> logs;                  // verifier keys of the logs it witnesses
};
// Serves C2SP tlog-witness add-checkpoint for the given logs; prints its verifier key.
int RunWitness(const WitnessOptions& options);

}  // namespace tongban::cli
