// Config: the one TOML file an operator edits (`tongban.toml`). Every option is documented in
// docs/config.md and in the commented file `tongban init` writes. Unknown keys are errors (a typo
// must not silently fall back to a default). Relative paths are relative to the config file.
// Value type; thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace tongban::cli {

struct Config {
  struct Server {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;
    int threads = 2;
    int handler_threads = 16;
    int64_t body_limit_bytes = 1 << 20;
    int64_t header_limit_bytes = 16 << 10;
    // Open connections in all and from one client address; 0 = no limit.
    int64_t max_connections = 20000;
    int64_t max_connections_per_address = 1000;
    int64_t header_timeout_s = 10;
    int64_t body_timeout_s = 30;
    int64_t idle_timeout_s = 75;
    int64_t drain_timeout_s = 10;
    // Token buckets (requests per second, burst = 2 x rate); 0 disables.
    int64_t rate_limit_per_address = 200;
    int64_t rate_limit_per_api_key = 2000;
    // HTTPS: PEM certificate chain and private key; both empty = plain HTTP.
    std::string tls_cert_file;
    std::string tls_key_file;
  } server;
  struct Database {
    std::string url = "sqlite://tongban.db";
    int pool_size = 8;
  } database;
  struct Ledger {
    std::string suite = "gm";  // gm = SM3 + SM2, intl = SHA-256 + Ed25519
    std::string origin = "tongban.example/ledger";
    std::string key_file = "keys/ledger.key";
    std::string subject_secret_file = "keys/subject-hmac.key";
    int64_t batch_max_entries = 1024;
    int64_t batch_max_delay_ms = 50;
    // Witnesses that cosign each checkpoint (C2SP tlog-witness), and how many must cosign before
    // a checkpoint is published (0: publish at once, attach whatever cosignatures arrive).
    struct Witness {
      std::string url;  // submission prefix, e.g. "http://witness.example:9001"
      std::string key;  // the witness's cosignature verifier key string
    };
    std::vector<Witness> witnesses;
    int64_t witness_quorum = 0;
  } ledger;
  struct Auth {
    std::string session_key_file = "keys/session.key";  // HMAC key of session tokens
    int64_t access_ttl_s = 900;        // bearer token lifetime
    int64_t refresh_ttl_s = 604800;    // refresh token (session) lifetime
    // Password guessing: failed logins of one account before back-off starts, and the longest
    // back-off (it doubles from 1 s per further failure; no lock-out).
    int64_t login_free_failures = 5;
    int64_t login_backoff_max_s = 300;
    // Password checks (Argon2id) run at most this many at once (0 = one per core), with at most
    // `password_queue` logins waiting (then 503): a login flood cannot take the handler threads
    // from other requests, nor more CPU than this many cores.
    int64_t password_threads = 0;
    int64_t password_queue = 8;
    // How long a node trusts a cached API-key row: a key revoked on another node stops working
    // here within this many seconds (on the node that revoked it, at once).
    int64_t api_key_cache_s = 5;
  } auth;
  struct Receipt {
    // 会计档案: accounting vouchers are kept 30 years; `tongban receipts destroy` refuses younger.
    int64_t retention_years = 30;
    // The deployment-wide issuer key of versions before per-issuer keys: only read, when present,
    // so batches it signed stay verifiable (each issuer now has its own keys, in the database).
    std::string issuer_key_file = "keys/receipt-issuer.key";
    // The finance department's batch-manifest and QR signing key (the suite's algorithm; created
    // on first start if missing).
    std::string finance_key_file = "keys/receipt-finance.key";
  } receipt;
  struct Log {
    std::string level = "info";  // trace, debug, info, warn, error, off
  } log;

  // Directory of the config file; relative paths resolve against it.
  std::filesystem::path base_dir = ".";

  std::filesystem::path Resolve(const std::string& path) const;
};

// Parses TOML text. `base_dir` anchors relative paths.
Result<Config> ParseConfig(std::string_view toml_text, std::filesystem::path base_dir);
Result<Config> LoadConfig(const std::filesystem::path& file);

// Parses "HOST:PORT" (IPv4, or [IPv6]:PORT). Port 0 means "any free port".
Status ParseListen(std::string_view listen, std::string& host, uint16_t& port);

// The commented config file `tongban init` writes (every option, with its default).
std::string DefaultConfigText(std::string_view suite, std::string_view origin);

}  // namespace tongban::cli
