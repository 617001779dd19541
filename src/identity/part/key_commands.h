// `tongban keys list|create|rotate|revoke`: an operator manages the API keys of department
// systems from the server's own machine (the same operations as /api/v1/admin/api-keys, for
// when no admin session is at hand, e.g. after a key leaked). Each run opens the deployment's
// database, does one thing and exits; a running server sees a revocation within
// [auth] api_key_cache_s seconds. Secrets are printed once (create, rotate) and never stored.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "part/commands.h"

namespace tongban::identity {

struct KeysOptions {
  std::filesystem::path config = "tongban.toml";
  std::string account;              // list (filter) and create: a department system's login
  std::vector<std::string> scopes;  // create
  std::string label;                // create
  std::string key_id;               // rotate, revoke: the 12 hex characters after "tbk_"
  int64_t overlap_s = 86400;        // rotate: how long the old key keeps working
};

// Adds `tongban keys list|create|rotate|revoke`. Each prints its result on stdout; exit 0 on
// success, 1 with the reason on stderr otherwise. `options` must outlive the parse and the run.
void AddKeyCommands(part::Commands& commands, KeysOptions& options);

}  // namespace tongban::identity
