// TOML config parsing with toml++, strict about unknown keys and value types.
#include "cli/config.h"

#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace tongban::cli {
namespace {

// Reads the optional key `key` of `table` into `out`; type errors name "section.key".
template <typename T>
Status Read(const toml::table& table, std::string_view section, std::string_view key, T& out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Status::Ok();
  std::string field = std::string(section) + "." + std::string(key);
  if constexpr (std::is_same_v<T, std::string>) {
    auto v = node->value<std::string>();
    if (!node->is_string() || !v) return Status::InvalidField(field, "must be a string");
    out = *v;
  } else {
    if (!node->is_integer()) return Status::InvalidField(field, "must be an integer");
    int64_t v = *node->value<int64_t>();
    if (v < 0 || v > static_cast<int64_t>(std::numeric_limits<T>::max())) {
      return Status::InvalidField(field, "out of range");
    }
    out = static_cast<T>(v);
  }
  return Status::Ok();
}

Status CheckKeys(const toml::table& table, std::string_view section,
                 const std::set<std::string_view>& allowed) {
  for (const auto& [key, value] : table) {
    if (!allowed.contains(key.str())) {
      std::string field = section.empty() ? std::string(key.str())
                                          : std::string(section) + "." + std::string(key.str());
      return Status::InvalidField(field, "unknown option (see docs/config.md)");
    }
  }
  return Status::Ok();
}

Result<const toml::table*> Section(const toml::table& root, std::string_view name) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return static_cast<const toml::table*>(nullptr);
  if (!node->is_table()) return Status::InvalidField(std::string(name), "must be a [table]");
  return node->as_table();
}

Status CheckRange(std::string_view field, int64_t v, int64_t lo, int64_t hi) {
  if (v < lo || v > hi) {
    return Status::InvalidField(std::string(field), "must be between " + std::to_string(lo) +
                                                        " and " + std::to_string(hi));
  }
  return Status::Ok();
}

}  // namespace

std::filesystem::path Config::Resolve(const std::string& path) const {
  std::filesystem::path p(path);
  return p.is_absolute() ? p : base_dir / p;
}

Status ParseListen(std::string_view listen, std::string& host, uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == listen.size()) {
    return Status::InvalidField("listen", "expected HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string_view h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string_view p = listen.substr(colon + 1);
  int64_t value = 0;
  for (char c : p) {
    if (c < '0' || c > '9' || value > 65535) {
      return Status::InvalidField("listen", "port must be a number 0-65535");
    }
    value = value * 10 + (c - '0');
  }
  if (value > 65535) return Status::InvalidField("listen", "port must be a number 0-65535");
  host = std::string(h);
  port = static_cast<uint16_t>(value);
  return Status::Ok();
}

Result<Config> ParseConfig(std::string_view toml_text, std::filesystem::path base_dir) {
  // Debian's toml++ is built with exceptions: a parse error is thrown, caught here and turned
  // into a Status at the boundary.
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& err) {
    std::ostringstream where;
    where << "line " << err.source().begin.line << ", column " << err.source().begin.column;
    return Status::InvalidArgument("config is not valid TOML at " + where.str() + ": " +
                                   std::string(err.description()));
  }
  Config c;
  c.base_dir = std::move(base_dir);
  TB_RETURN_IF_ERROR(CheckKeys(root, "", {"server", "database", "ledger", "auth", "receipt", "log"}));

  TB_ASSIGN_OR_RETURN(const toml::table* server, Section(root, "server"));
  if (server) {
    TB_RETURN_IF_ERROR(CheckKeys(*server, "server",
                                 {"listen", "threads", "handler_threads", "body_limit_bytes",
                                  "header_limit_bytes", "max_connections",
                                  "max_connections_per_address", "header_timeout_s",
                                  "body_timeout_s", "idle_timeout_s", "drain_timeout_s",
                                  "rate_limit_per_address", "rate_limit_per_api_key",
                                  "tls_cert_file", "tls_key_file"}));
    std::string listen;
    TB_RETURN_IF_ERROR(Read(*server, "server", "listen", listen));
    if (!listen.empty()) {
      Status s = ParseListen(listen, c.server.host, c.server.port);
      if (!s.ok()) return Status::InvalidField("server.listen", s.fields().at(0).reason);
    }
    TB_RETURN_IF_ERROR(Read(*server, "server", "threads", c.server.threads));
    TB_RETURN_IF_ERROR(Read(*server, "server", "handler_threads", c.server.handler_threads));
    TB_RETURN_IF_ERROR(Read(*server, "server", "body_limit_bytes", c.server.body_limit_bytes));
    TB_RETURN_IF_ERROR(Read(*server, "server", "header_limit_bytes", c.server.header_limit_bytes));
    TB_RETURN_IF_ERROR(Read(*server, "server", "max_connections", c.server.max_connections));
    TB_RETURN_IF_ERROR(Read(*server, "server", "max_connections_per_address",
                            c.server.max_connections_per_address));
    TB_RETURN_IF_ERROR(Read(*server, "server", "header_timeout_s", c.server.header_timeout_s));
    TB_RETURN_IF_ERROR(Read(*server, "server", "body_timeout_s", c.server.body_timeout_s));
    TB_RETURN_IF_ERROR(Read(*server, "server", "idle_timeout_s", c.server.idle_timeout_s));
    TB_RETURN_IF_ERROR(Read(*server, "server", "drain_timeout_s", c.server.drain_timeout_s));
    TB_RETURN_IF_ERROR(
        Read(*server, "server", "rate_limit_per_address", c.server.rate_limit_per_address));
    TB_RETURN_IF_ERROR(
        Read(*server, "server", "rate_limit_per_api_key", c.server.rate_limit_per_api_key));
    TB_RETURN_IF_ERROR(Read(*server, "server", "tls_cert_file", c.server.tls_cert_file));
    TB_RETURN_IF_ERROR(Read(*server, "server", "tls_key_file", c.server.tls_key_file));
    if (c.server.tls_cert_file.empty() != c.server.tls_key_file.empty()) {
      return Status::InvalidField("server.tls_key_file",
                                  "set both tls_cert_file and tls_key_file, or neither");
    }
  }
  TB_RETURN_IF_ERROR(CheckRange("server.threads", c.server.threads, 1, 256));
  TB_RETURN_IF_ERROR(CheckRange("server.handler_threads", c.server.handler_threads, 0, 1024));
  TB_RETURN_IF_ERROR(CheckRange("server.body_limit_bytes", c.server.body_limit_bytes, 1024,
                                int64_t{64} << 20));
  TB_RETURN_IF_ERROR(CheckRange("server.header_limit_bytes", c.server.header_limit_bytes, 1024,
                                int64_t{1} << 20));
  TB_RETURN_IF_ERROR(CheckRange("server.max_connections", c.server.max_connections, 0, 10'000'000));
  TB_RETURN_IF_ERROR(CheckRange("server.max_connections_per_address",
                                c.server.max_connections_per_address, 0, 10'000'000));

  TB_ASSIGN_OR_RETURN(const toml::table* db, Section(root, "database"));
  if (db) {
    TB_RETURN_IF_ERROR(CheckKeys(*db, "database", {"url", "pool_size"}));
    TB_RETURN_IF_ERROR(Read(*db, "database", "url", c.database.url));
    TB_RETURN_IF_ERROR(Read(*db, "database", "pool_size", c.database.pool_size));
  }
  if (!c.database.url.starts_with("sqlite:") && !c.database.url.starts_with("postgresql://") &&
      !c.database.url.starts_with("postgres://")) {
    return Status::InvalidField("database.url",
                                "must start with sqlite:// or postgresql:// (see docs/config.md)");
  }
  TB_RETURN_IF_ERROR(CheckRange("database.pool_size", c.database.pool_size, 1, 1024));

  TB_ASSIGN_OR_RETURN(const toml::table* ledger, Section(root, "ledger"));
  if (ledger) {
    TB_RETURN_IF_ERROR(CheckKeys(*ledger, "ledger",
                                 {"suite", "origin", "key_file", "subject_secret_file",
                                  "batch_max_entries", "batch_max_delay_ms", "witnesses",
                                  "witness_quorum"}));
    TB_RETURN_IF_ERROR(Read(*ledger, "ledger", "suite", c.ledger.suite));
    TB_RETURN_IF_ERROR(Read(*ledger, "ledger", "origin", c.ledger.origin));
    TB_RETURN_IF_ERROR(Read(*ledger, "ledger", "key_file", c.ledger.key_file));
    TB_RETURN_IF_ERROR(Read(*ledger, "ledger", "subject_secret_file", c.ledger.subject_secret_file));
    TB_RETURN_IF_ERROR(Read(*ledger, "ledger", "batch_max_entries", c.ledger.batch_max_entries));
    TB_RETURN_IF_ERROR(Read(*ledger, "ledger", "batch_max_delay_ms", c.ledger.batch_max_delay_ms));
    TB_RETURN_IF_ERROR(Read(*ledger, "ledger", "witness_quorum", c.ledger.witness_quorum));
    if (const toml::node* w = ledger->get("witnesses")) {
      const toml::array* list = w->as_array();
      if (list == nullptr) {
        return Status::InvalidField("ledger.witnesses", "must be an array of tables [[ledger.witnesses]]");
      }
      for (size_t i = 0; i < list->size(); ++i) {
        std::string field = "ledger.witnesses[" + std::to_string(i) + "]";
        const toml::table* t = (*list)[i].as_table();
        if (t == nullptr) return Status::InvalidField(field, "must be a table with url and key");
        TB_RETURN_IF_ERROR(CheckKeys(*t, field, {"url", "key"}));
        Config::Ledger::Witness witness;
        TB_RETURN_IF_ERROR(Read(*t, field, "url", witness.url));
        TB_RETURN_IF_ERROR(Read(*t, field, "key", witness.key));
        if (!witness.url.starts_with("http://")) {
          return Status::InvalidField(field + ".url", "must be an http:// URL");
        }
        if (witness.key.empty()) return Status::InvalidField(field + ".key", "is required");
        c.ledger.witnesses.push_back(std::move(witness));
      }
    }
  }
  if (c.ledger.witness_quorum < 0 ||
      c.ledger.witness_quorum > static_cast<int64_t>(c.ledger.witnesses.size())) {
    return Status::InvalidField("ledger.witness_quorum",
                                "must be between 0 and the number of witnesses");
  }
  if (c.ledger.suite != "gm" && c.ledger.suite != "intl") {
    return Status::InvalidField("ledger.suite", "must be \"gm\" (SM3+SM2) or \"intl\" (SHA-256+Ed25519)");
  }
  if (c.ledger.origin.empty() || c.ledger.origin.find_first_of(" \n\t") != std::string::npos) {
    return Status::InvalidField("ledger.origin", "must be a non-empty line without spaces");
  }
  TB_RETURN_IF_ERROR(CheckRange("ledger.batch_max_entries", c.ledger.batch_max_entries, 1, 100000));
  TB_RETURN_IF_ERROR(CheckRange("ledger.batch_max_delay_ms", c.ledger.batch_max_delay_ms, 1, 1000));

  TB_ASSIGN_OR_RETURN(const toml::table* auth, Section(root, "auth"));
  if (auth) {
    TB_RETURN_IF_ERROR(CheckKeys(*auth, "auth",
                                 {"session_key_file", "access_ttl_s", "refresh_ttl_s",
                                  "login_free_failures", "login_backoff_max_s", "password_threads",
                                  "password_queue", "api_key_cache_s"}));
    TB_RETURN_IF_ERROR(Read(*auth, "auth", "session_key_file", c.auth.session_key_file));
    TB_RETURN_IF_ERROR(Read(*auth, "auth", "access_ttl_s", c.auth.access_ttl_s));
    TB_RETURN_IF_ERROR(Read(*auth, "auth", "refresh_ttl_s", c.auth.refresh_ttl_s));
    TB_RETURN_IF_ERROR(Read(*auth, "auth", "login_free_failures", c.auth.login_free_failures));
    TB_RETURN_IF_ERROR(Read(*auth, "auth", "login_backoff_max_s", c.auth.login_backoff_max_s));
    TB_RETURN_IF_ERROR(Read(*auth, "auth", "password_threads", c.auth.password_threads));
    TB_RETURN_IF_ERROR(Read(*auth, "auth", "password_queue", c.auth.password_queue));
    TB_RETURN_IF_ERROR(Read(*auth, "auth", "api_key_cache_s", c.auth.api_key_cache_s));
  }
  TB_RETURN_IF_ERROR(CheckRange("auth.access_ttl_s", c.auth.access_ttl_s, 60, 86400));
  TB_RETURN_IF_ERROR(CheckRange("auth.refresh_ttl_s", c.auth.refresh_ttl_s, 300, 90 * 86400));
  TB_RETURN_IF_ERROR(CheckRange("auth.login_free_failures", c.auth.login_free_failures, 1, 100));
  TB_RETURN_IF_ERROR(CheckRange("auth.login_backoff_max_s", c.auth.login_backoff_max_s, 1, 86400));
  TB_RETURN_IF_ERROR(CheckRange("auth.password_threads", c.auth.password_threads, 0, 256));
  TB_RETURN_IF_ERROR(CheckRange("auth.password_queue", c.auth.password_queue, 0, 100000));
  TB_RETURN_IF_ERROR(CheckRange("auth.api_key_cache_s", c.auth.api_key_cache_s, 0, 3600));

  TB_ASSIGN_OR_RETURN(const toml::table* receipt, Section(root, "receipt"));
  if (receipt) {
    TB_RETURN_IF_ERROR(
        CheckKeys(*receipt, "receipt", {"retention_years", "issuer_key_file", "finance_key_file"}));
    TB_RETURN_IF_ERROR(Read(*receipt, "receipt", "retention_years", c.receipt.retention_years));
    TB_RETURN_IF_ERROR(Read(*receipt, "receipt", "issuer_key_file", c.receipt.issuer_key_file));
    TB_RETURN_IF_ERROR(Read(*receipt, "receipt", "finance_key_file", c.receipt.finance_key_file));
  }
  TB_RETURN_IF_ERROR(CheckRange("receipt.retention_years", c.receipt.retention_years, 1, 100));

  TB_ASSIGN_OR_RETURN(const toml::table* log, Section(root, "log"));
  if (log) {
    TB_RETURN_IF_ERROR(CheckKeys(*log, "log", {"level"}));
    TB_RETURN_IF_ERROR(Read(*log, "log", "level", c.log.level));
  }
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!kLevels.contains(c.log.level)) {
    return Status::InvalidField("log.level", "must be one of trace, debug, info, warn, error, off");
  }
  return c;
}

Result<Config> LoadConfig(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::NotFound("config file", file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto base = std::filesystem::absolute(file).parent_path();
  return ParseConfig(ss.str(), base);
}

std::string DefaultConfigText(std::string_view suite, std::string_view origin) {
  std::ostringstream out;
  out << R"(# Tongban configuration. Every option is listed here with its default; docs/config.md
# explains each. Unknown keys are rejected. Relative paths are relative to this file.

[server]
listen = "127.0.0.1:8080"    # HOST:PORT to serve HTTP on
threads = 2                  # worker threads (one io_context and acceptor each)
handler_threads = 16         # threads for requests that may block (writes); 0 = on the io threads
body_limit_bytes = 1048576   # larger request bodies get 413
header_limit_bytes = 16384   # larger request header blocks get 431
max_connections = 20000      # open connections in all; over it new ones get 503 and are closed
max_connections_per_address = 1000  # ... from one client address; 0 = no limit (behind a proxy)
header_timeout_s = 10        # a client must send its request header within this time
body_timeout_s = 30          # ... and its body within this time
idle_timeout_s = 75          # idle keep-alive connections are closed after this
drain_timeout_s = 10         # on SIGTERM, in-flight requests get this long to finish
rate_limit_per_address = 200 # requests/s per client address (burst 2x); 0 = off; then 429
rate_limit_per_api_key = 2000  # requests/s per API key (burst 2x); 0 = off
# HTTPS (TLS 1.2+): a PEM certificate chain and its private key. Unset = plain HTTP.
# tls_cert_file = "tls/cert.pem"
# tls_key_file = "tls/key.pem"

[database]
url = "sqlite://tongban.db?synchronous=full"  # or postgresql://user@host:5432/tongban
                             # synchronous=full: a commit is on disk before it is acknowledged
pool_size = 8                # connections (PostgreSQL) or reader connections (SQLite)

[ledger]
suite = ")" << suite << R"("                 # gm = SM3 + SM2 (default), intl = SHA-256 + Ed25519
origin = ")" << origin << R"("   # the log's name: first line of every checkpoint
key_file = "keys/ledger.key"             # the log's private signing key (PEM, PKCS#8)
subject_secret_file = "keys/subject-hmac.key"  # secret for keyed hashes of subject IDs
batch_max_entries = 1024     # the sequencer signs one checkpoint per batch of up to this many
batch_max_delay_ms = 50      # ... or after this long, whichever comes first
witness_quorum = 0           # checkpoints need this many witness cosignatures to be published
# Witnesses (C2SP tlog-witness), one table each:
# [[ledger.witnesses]]
# url = "http://127.0.0.1:9001"                 # the witness's submission prefix
# key = "witness.example+0a1b2c3d+BASE64KEY"    # its cosignature verifier key

[auth]
session_key_file = "keys/session.key"  # HMAC key of session tokens (32 random bytes, hex)
access_ttl_s = 900           # bearer token lifetime (60 s - 1 day)
refresh_ttl_s = 604800       # refresh token / session lifetime (5 min - 90 days)
login_free_failures = 5      # failed logins of one account that cost nothing; then back-off (429)
login_backoff_max_s = 300    # back-off doubles from 1 s per further failure up to this
password_threads = 0         # password checks at once (0 = one per core)
password_queue = 8           # logins waiting for a password check; more get 503
api_key_cache_s = 5          # a key revoked on another node stops working here within this

[receipt]
retention_years = 30         # e-receipts are kept this long before `tongban receipts destroy`
issuer_key_file = "keys/receipt-issuer.key"    # old deployment-wide issuer key, read if present
                                               # (batches signed before per-issuer keys)
finance_key_file = "keys/receipt-finance.key"  # the finance department's key (batches, QR codes)

[log]
level = "info"               # trace, debug, info, warn, error, off
)";
  return out.str();
}

}  // namespace tongban::cli
