// `tongban keys …`; see key_commands.h. Wiring only: IdentityService does the work.
#include "identity/part/key_commands.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <functional>

#include "core/clock.h"
#include "identity/part/identity_part.h"

namespace tongban::identity {
namespace {

int Fail(const Status& s) { return part::FailCommand("keys", s); }

std::string Time(std::optional<int64_t> unix_seconds) {
  return unix_seconds ? FormatIso8601Utc(FromUnixMicros(*unix_seconds * 1'000'000)) : "-";
}

// Opens the deployment and runs `body` with its identity service.
// Log lines (the audit record of a rotation or revocation) go to stderr: stdout carries the key.
int WithIdentity(const part::Commands& commands, const KeysOptions& options,
                 const std::function<int(IdentityService&)>& body) {
  auto program = commands.Open(options.config);
  if (!program.ok()) return Fail(program.status());
  auto identity = (*program)->parts().Require<IdentityPart>("keys", "identity");
  if (!identity.ok()) return Fail(identity.status());
  int rc = body((*identity)->service());
  spdlog::default_logger()->flush();
  return rc;
}

void PrintKey(const ApiKeyInfo& k) {
  std::string scopes;
  for (const auto& s : k.scopes) scopes += (scopes.empty() ? "" : ",") + s;
  std::printf("%s\t%s\t%s\t%s\tcreated %s\texpires %s\trevoked %s\t%s\n", k.key_id.c_str(),
              k.active ? "active" : "inactive", k.account_login.c_str(), scopes.c_str(),
              Time(k.created_at).c_str(), Time(k.expires_at).c_str(), Time(k.revoked_at).c_str(),
              k.label.c_str());
}

int RunKeysList(const part::Commands& commands, const KeysOptions& options) {
  return WithIdentity(commands, options, [&](IdentityService& identity) {
    int64_t account_id = 0;
    if (!options.account.empty()) {
      auto a = identity.FindAccount(options.account);
      if (!a.ok()) return Fail(a.status());
      account_id = a->id;
    }
    auto keys = identity.ListApiKeys(account_id);
    if (!keys.ok()) return Fail(keys.status());
    std::printf("key_id\tstate\taccount\tscopes\tcreated\texpires\trevoked\tlabel\n");
    for (const auto& k : *keys) PrintKey(k);
    return 0;
  });
}

int RunKeysCreate(const part::Commands& commands, const KeysOptions& options) {
  return WithIdentity(commands, options, [&](IdentityService& identity) {
    auto a = identity.FindAccount(options.account);
    if (!a.ok()) return Fail(a.status());
    if (a->role != Role::kDepartmentSystem) {
      return Fail(Status::InvalidField("--account", "is not a department system account"));
    }
    if (options.scopes.empty()) return Fail(Status::InvalidField("--scope", "name at least one"));
    if (options.label.empty()) return Fail(Status::InvalidField("--label", "is required"));
    auto key = identity.CreateApiKey(a->id, options.scopes, options.label);
    if (!key.ok()) return Fail(key.status());
    std::printf("%s\n", key->c_str());
    std::fprintf(stderr, "tongban keys: key %s created for %s; it is shown only now\n",
                 key->substr(4, 12).c_str(), options.account.c_str());
    return 0;
  });
}

int RunKeysRotate(const part::Commands& commands, const KeysOptions& options) {
  return WithIdentity(commands, options, [&](IdentityService& identity) {
    auto key = identity.RotateApiKey(options.key_id, options.overlap_s);
    if (!key.ok()) return Fail(key.status());
    std::printf("%s\n", key->c_str());
    std::fprintf(stderr,
                 "tongban keys: key %s replaces %s, which keeps working for %lld s; the new key "
                 "is shown only now\n",
                 key->substr(4, 12).c_str(), options.key_id.c_str(),
                 static_cast<long long>(options.overlap_s));
    return 0;
  });
}

int RunKeysRevoke(const part::Commands& commands, const KeysOptions& options) {
  return WithIdentity(commands, options, [&](IdentityService& identity) {
    Status s = identity.RevokeApiKey(options.key_id);
    if (!s.ok()) return Fail(s);
    std::printf("revoked %s (a running server refuses it within [auth] api_key_cache_s "
                "seconds)\n",
                options.key_id.c_str());
    return 0;
  });
}

}  // namespace

void AddKeyCommands(part::Commands& commands, KeysOptions& keys) {
  CLI::App* group = commands.AddGroup("keys", "API keys of department systems");
  const part::Commands* c = &commands;
  CLI::App* list = commands.Add(group, "list", "List API keys (never their secrets)",
                                [c, &keys] { return RunKeysList(*c, keys); });
  part::Commands::AddConfigOption(list, keys.config);
  list->add_option("--account", keys.account, "Only this department system's keys (login)");
  CLI::App* create = commands.Add(group, "create", "Create an API key; prints it once",
                                  [c, &keys] { return RunKeysCreate(*c, keys); });
  part::Commands::AddConfigOption(create, keys.config);
  create->add_option("--account", keys.account, "The department system's login")->required();
  create->add_option("--scope", keys.scopes, "A scope, e.g. receipt:issue (repeat)")->required();
  create->add_option("--label", keys.label, "What the key is for")->required();
  CLI::App* rotate = commands.Add(
      group, "rotate", "Replace a key: prints the new key; the old one works for --overlap-s, then stops",
      [c, &keys] { return RunKeysRotate(*c, keys); });
  part::Commands::AddConfigOption(rotate, keys.config);
  rotate->add_option("--key-id", keys.key_id, "The 12 hex characters after tbk_")->required();
  rotate->add_option("--overlap-s", keys.overlap_s, "Seconds the old key keeps working")
      ->capture_default_str();
  CLI::App* revoke = commands.Add(group, "revoke", "Revoke a key now",
                                  [c, &keys] { return RunKeysRevoke(*c, keys); });
  part::Commands::AddConfigOption(revoke, keys.config);
  revoke->add_option("--key-id", keys.key_id, "The 12 hex characters after tbk_")->required();
}

}  // namespace tongban::identity
