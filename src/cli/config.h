// Config: the one TOML file an operator edits (`tongban.toml`). Every option is documented in
// docs/config.md and in the commented file `tongban init` writes. Unknown keys are errors (a typo
// must not silently fall back to a default). Relative paths are relative to the config file.
// The program's own sections ([server], [database], [log]) are read here; every other section
// belongs to a part (part/part.h), which reads it in ConfigureParts. ParseConfig checks those too,
// so a bad config is refused before anything is opened. Value type; thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "core/status.h"
#include "part/part.h"
#include "part/part_set.h"

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
  struct Log {
    std::string level = "info";  // trace, debug, info, warn, error, off
  } log;

  // The sections of the parts, as written (read by ConfigureParts).
  toml::table part_sections;

  // Directory of the config file; relative paths resolve against it.
  std::filesystem::path base_dir = ".";

  std::filesystem::path Resolve(const std::string& path) const;
};

// The program's parts (cli/parts.h), each configured from its section of `config`. Errors name
// "section.key"; a section no part claims is an error too.
Result<part::PartSet> ConfigureParts(const Config& config);

// Parses TOML text (and checks every part's section). `base_dir` anchors relative paths.
Result<Config> ParseConfig(std::string_view toml_text, std::filesystem::path base_dir);
Result<Config> LoadConfig(const std::filesystem::path& file);

// Parses "HOST:PORT" (IPv4, or [IPv6]:PORT). Port 0 means "any free port".
Status ParseListen(std::string_view listen, std::string& host, uint16_t& port);

// The commented config file `tongban init` writes (every option of the program and of each
// part, with its default).
std::string DefaultConfigText(std::string_view suite, std::string_view origin);

}  // namespace tongban::cli
