// `tongban keys …`; see key_commands.h. Wiring only: IdentityService does the work.
#include "cli/key_commands.h"

#include <cstdio>
#include <functional>

#include "cli/app.h"
#include "cli/config.h"
#include "cli/logging.h"
#include "core/clock.h"

namespace tongban::cli {
namespace {

int Fail(const Status& s) {
  std::fprintf(stderr, "tongban keys: %s\n", s.ToString().c_str());
  for (const auto& f : s.fields()) std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.reason.c_str());
  return 1;
}

std::string Time(std::optional<int64_t> unix_seconds) {
  return unix_seconds ? FormatIso8601Utc(FromUnixMicros(*unix_seconds * 1'000'000)) : "-";
}

// Opens the deployment and runs `body` with its identity service.
int WithIdentity(const KeysOptions& options,
                 const std::function<int(identity::IdentityService&)>& body) {
  auto config = LoadConfig(options.config);
  if (!config.ok()) return Fail(config.status());
  // Log lines (the audit record of a rotation or revocation) go to stderr: stdout carries the key.
  SetUpLogging(config->log.level);
  auto app = App::Open(*config);
  if (!app.ok()) return Fail(app.status());
  int rc = body((*app)->identity());
  FlushLogs();
  return rc;
}

void PrintKey(const identity::ApiKeyInfo& k) {
  std::string scopes;
  for (const auto& s : k.scopes) scopes += (scopes.empty() ? "" : ",") + s;
  std::printf("%s\t%s\t%s\t%s\tcreated %s\texpires %s\trevoked %s\t%s\n", k.key_id.c_str(),
              k.active ? "active" : "inactive", k.account_login.c_str(), scopes.c_str(),
              Time(k.created_at).c_str(), Time(k.expires_at).c_str(), Time(k.revoked_at).c_str(),
              k.label.c_str());
}

}  // namespace

int RunKeysList(const KeysOptions& options) {
  return WithIdentity(options, [&](identity::IdentityService& identity) {
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

int RunKeysCreate(const KeysOptions& options) {
  return WithIdentity(options, [&](identity::IdentityService& identity) {
    auto a = identity.FindAccount(options.account);
    if (!a.ok()) return Fail(a.status());
    if (a->role != identity::Role::kDepartmentSystem) {
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

int RunKeysRotate(const KeysOptions& options) {
  return WithIdentity(options, [&](identity::IdentityService& identity) {
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

int RunKeysRevoke(const KeysOptions& options) {
  return WithIdentity(options, [&](identity::IdentityService& identity) {
    Status s = identity.RevokeApiKey(options.key_id);
    if (!s.ok()) return Fail(s);
    std::printf("revoked %s (a running server refuses it within [auth] api_key_cache_s "
                "seconds)\n",
                options.key_id.c_str());
    return 0;
  });
}

}  // namespace tongban::cli
