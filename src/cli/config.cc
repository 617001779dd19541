// TOML config parsing with toml++, strict about unknown keys and value types. The program's
// sections here; the parts' sections through their Part::Configure (part/config_section.h).
#include "cli/config.h"

#include <fstream>
#include <set>
#include <sstream>

#include "cli/parts.h"
#include "part/config_section.h"

namespace tongban::cli {
namespace {

// The sections the program itself reads; every other one must belong to a part.
const std::set<std::string, std::less<>> kProgramSections = {"server", "database", "log"};

Status ReadServer(part::ConfigSection& s, Config::Server& server) {
  std::string listen;
  TB_RETURN_IF_ERROR(s.Read("listen", listen));
  if (!listen.empty()) {
    Status l = ParseListen(listen, server.host, server.port);
    if (!l.ok()) return Status::InvalidField(s.Field("listen"), l.fields().at(0).reason);
  }
  TB_RETURN_IF_ERROR(s.Read("threads", server.threads, 1, 256));
  TB_RETURN_IF_ERROR(s.Read("handler_threads", server.handler_threads, 0, 1024));
  TB_RETURN_IF_ERROR(s.Read("body_limit_bytes", server.body_limit_bytes, 1024, int64_t{64} << 20));
  TB_RETURN_IF_ERROR(s.Read("header_limit_bytes", server.header_limit_bytes, 1024, int64_t{1} << 20));
  TB_RETURN_IF_ERROR(s.Read("max_connections", server.max_connections, 0, 10'000'000));
  TB_RETURN_IF_ERROR(
      s.Read("max_connections_per_address", server.max_connections_per_address, 0, 10'000'000));
  constexpr int64_t kDay = 86400;
  TB_RETURN_IF_ERROR(s.Read("header_timeout_s", server.header_timeout_s, 0, kDay));
  TB_RETURN_IF_ERROR(s.Read("body_timeout_s", server.body_timeout_s, 0, kDay));
  TB_RETURN_IF_ERROR(s.Read("idle_timeout_s", server.idle_timeout_s, 0, kDay));
  TB_RETURN_IF_ERROR(s.Read("drain_timeout_s", server.drain_timeout_s, 0, kDay));
  TB_RETURN_IF_ERROR(s.Read("rate_limit_per_address", server.rate_limit_per_address, 0, 100'000'000));
  TB_RETURN_IF_ERROR(s.Read("rate_limit_per_api_key", server.rate_limit_per_api_key, 0, 100'000'000));
  TB_RETURN_IF_ERROR(s.Read("tls_cert_file", server.tls_cert_file));
  TB_RETURN_IF_ERROR(s.Read("tls_key_file", server.tls_key_file));
  if (server.tls_cert_file.empty() != server.tls_key_file.empty()) {
    return Status::InvalidField(s.Field("tls_key_file"),
                                "set both tls_cert_file and tls_key_file, or neither");
  }
  return s.Finish();
}

Status ReadDatabase(part::ConfigSection& s, Config::Database& db) {
  TB_RETURN_IF_ERROR(s.Read("url", db.url));
  if (!db.url.starts_with("sqlite:") && !db.url.starts_with("postgresql://") &&
      !db.url.starts_with("postgres://")) {
    return Status::InvalidField(s.Field("url"),
                                "must start with sqlite:// or postgresql:// (see docs/config.md)");
  }
  TB_RETURN_IF_ERROR(s.Read("pool_size", db.pool_size, 1, 1024));
  return s.Finish();
}

Status ReadLog(part::ConfigSection& s, Config::Log& log) {
  TB_RETURN_IF_ERROR(s.ReadOneOf("level", log.level, {"trace", "debug", "info", "warn", "error", "off"}));
  return s.Finish();
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
  TB_ASSIGN_OR_RETURN(toml::table root, part::ParseToml(toml_text));
  Config c;
  c.base_dir = std::move(base_dir);
  TB_ASSIGN_OR_RETURN(const toml::table* server, part::SectionOf(root, "server"));
  part::ConfigSection server_section("server", server);
  TB_RETURN_IF_ERROR(ReadServer(server_section, c.server));
  TB_ASSIGN_OR_RETURN(const toml::table* db, part::SectionOf(root, "database"));
  part::ConfigSection db_section("database", db);
  TB_RETURN_IF_ERROR(ReadDatabase(db_section, c.database));
  TB_ASSIGN_OR_RETURN(const toml::table* log, part::SectionOf(root, "log"));
  part::ConfigSection log_section("log", log);
  TB_RETURN_IF_ERROR(ReadLog(log_section, c.log));
  for (const auto& [key, value] : root) {
    if (!kProgramSections.contains(key.str())) c.part_sections.insert(key, value);
  }
  // The parts' sections are checked now, so a bad config never gets as far as opening anything.
  TB_RETURN_IF_ERROR(ConfigureParts(c).status());
  return c;
}

Result<part::PartSet> ConfigureParts(const Config& config) {
  std::vector<std::unique_ptr<part::Part>> parts = MakeParts();
  std::set<std::string, std::less<>> claimed;
  for (const auto& p : parts) {
    const std::string name(p->config_section());
    claimed.insert(name);
    TB_ASSIGN_OR_RETURN(const toml::table* table, part::SectionOf(config.part_sections, name));
    part::ConfigSection section(name, table);
    TB_RETURN_IF_ERROR(p->Configure(section));
    TB_RETURN_IF_ERROR(section.Finish());
  }
  for (const auto& [key, value] : config.part_sections) {
    if (!claimed.contains(key.str())) {
      return Status::InvalidField(std::string(key.str()), "unknown section (see docs/config.md)");
    }
  }
  return part::PartSet(std::move(parts));
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

[log]
level = "info"               # trace, debug, info, warn, error, off

)";
  const part::InitChoices choices{std::string(suite), std::string(origin)};
  for (const auto& p : MakeParts()) {
    const std::string text = p->DefaultConfig(choices);
    if (!text.empty()) out << text << "\n";
  }
  std::string text = out.str();
  text.pop_back();  // one newline at the end
  return text;
}

}  // namespace tongban::cli
