// The tongban sub-commands: init, serve, demo. Wiring only: parts do the work.
#include "cli/commands.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "api/dispatcher.h"
#include "api/server.h"
#include "cli/api_wiring.h"
#include "cli/app.h"
#include "cli/config.h"
#include "cli/data_folder.h"
#include "cli/demo_data.h"
#include "crypto/key.h"
#include "crypto/suite.h"
#include "cli/logging.h"
#include "cli/version.h"
#include "ledger/part/witness_handlers.h"
#include "ledger/cosignature.h"
#include "ledger/note_keys.h"
#include "ledger/witness.h"
#include "store/migration.h"

namespace tongban::cli {
namespace fs = std::filesystem;

namespace {

// SIGINT and SIGTERM, blocked in the calling thread (and so in every thread it starts later);
// Serve() waits for them with sigwait. Call before any thread exists (the log flusher is one).
sigset_t StopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "tongban: %s\n", s.ToString().c_str());
  for (const auto& f : s.fields()) {
    std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.reason.c_str());
  }
  return 1;
}

Status WriteFileWithMode(const fs::path& path, const std::string& content, mode_t mode) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::Unavailable("cannot write " + path.string());
  out << content;
  out.close();
  if (!out) return Status::Unavailable("cannot write " + path.string());
  ::chmod(path.c_str(), mode);
  return Status::Ok();
}

// Serves `dispatcher` until SIGINT/SIGTERM, then stops gracefully; `after_run` runs once the
// server has drained, before it is destroyed. REQUIRES: StopSignals() was called before any
// thread started.
int RunHttpServer(api::Dispatcher& dispatcher, const api::ServerOptions& options,
                  const std::function<void(uint16_t)>& on_listening,
                  const std::function<void()>& after_run = {}) {
  sigset_t signals = StopSignals();
  api::ServerOptions with_pool_gets = options;
  with_pool_gets.may_block = [&dispatcher](const api::HttpRequest& r) { return dispatcher.MayBlock(r); };
  auto server = api::HttpServer::Create(
      with_pool_gets, [&dispatcher](api::HttpRequest& r) { return dispatcher.Handle(r); },
      [&dispatcher](const api::HttpRequest& req, const api::HttpResponse& res,
                    std::chrono::microseconds us) { dispatcher.Observe(req, res, us); });
  if (!server.ok()) return Fail(server.status());
  dispatcher.metrics().AddGauge("tongban_http_open_connections", "Open HTTP connections.",
                                [s = server->get()] { return double(s->open_connections()); });
  dispatcher.metrics().AddGauge(
      "tongban_http_connections_refused_total",
      "Connections closed at accept: server.max_connections or max_connections_per_address.",
      [s = server->get()] { return double(s->connections_refused()); });
  dispatcher.metrics().AddGauge(
      "tongban_http_accept_backoffs_total",
      "Times accepting paused because the process ran out of file descriptors.",
      [s = server->get()] { return double(s->accept_backoffs()); });

  std::thread signal_thread([&signals, s = server->get()] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info(R"({{"msg":"stopping","signal":{}}})", sig);
    s->Stop();
  });
  spdlog::info(R"({{"msg":"listening","host":"{}","port":{}}})", options.host, (*server)->port());
  if (on_listening) on_listening((*server)->port());
  (*server)->Run();
  // Wake the signal thread if Run() ended for another reason.
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  // Before the server goes: work that still holds a deferred answer or a stream (the parts'
  // workers) ends and answers into io contexts that still exist.
  if (after_run) after_run();

  spdlog::info("{}", R"({"msg":"stopped"})");
  FlushLogs();
  return 0;
}


int Serve(App& app, std::optional<std::string> listen_override,
          const std::function<void(uint16_t)>& on_listening) {
  const Config& config = app.config();
  WarnIfOpenToOthers(config.base_dir);
  api::ServerOptions options;
  options.host = config.server.host;
  options.port = config.server.port;
  if (listen_override) {
    Status s = ParseListen(*listen_override, options.host, options.port);
    if (!s.ok()) return Fail(s);
  }
  options.threads = config.server.threads;
  options.handler_threads = config.server.handler_threads;
  options.body_limit = static_cast<size_t>(config.server.body_limit_bytes);
  options.header_limit = static_cast<size_t>(config.server.header_limit_bytes);
  options.max_connections = config.server.max_connections;
  options.max_connections_per_address = config.server.max_connections_per_address;
  options.header_timeout = std::chrono::seconds(config.server.header_timeout_s);
  options.body_timeout = std::chrono::seconds(config.server.body_timeout_s);
  options.idle_timeout = std::chrono::seconds(config.server.idle_timeout_s);
  options.drain_timeout = std::chrono::seconds(config.server.drain_timeout_s);
  if (!config.server.tls_cert_file.empty()) {
    options.tls_cert_file = config.Resolve(config.server.tls_cert_file).string();
    options.tls_key_file = config.Resolve(config.server.tls_key_file).string();
  }

  api::Dispatcher dispatcher(kVersion);
  WireApi(app, dispatcher);
  if (Status s = app.Start(); !s.ok()) return Fail(s);

  // In-flight requests are done: stop the parts (their workers answer any deferred response
  // while the server still exists) and flush the ledger queue so nothing acknowledged waits.
  Status stopped = Status::Ok();
  int rc = RunHttpServer(dispatcher, options, on_listening, [&] { stopped = app.Stop(); });
  if (Status s = stopped; !s.ok()) {
    spdlog::error(R"({{"msg":"ledger flush failed","error":"{}"}})", s.ToString());
    FlushLogs();
    return rc == 0 ? 1 : rc;
  }
  return rc;
}
}  // namespace

int RunInit(const InitOptions& options) {
  std::error_code ec;
  bool created = fs::create_directories(options.dir, ec);
  if (ec) return Fail(Status::Unavailable("cannot create " + options.dir.string() + ": " + ec.message()));
  // The folder holds personal data and secrets: the running account's alone (data_folder.h). An
  // existing folder keeps its mode (it may be a parent folder); serve warns if it is open.
  if (created) ::chmod(options.dir.c_str(), 0700);
  fs::path config_path = options.dir / "tongban.toml";
  if (fs::exists(config_path) && !options.force) {
    return Fail(Status::AlreadyExists(config_path.string() +
                                      " exists; use --force to overwrite it (keys are kept)"));
  }
  auto suite = crypto::ParseSuite(options.suite);
  if (!suite.ok()) return Fail(suite.status());
  Status s = WriteFileWithMode(config_path, DefaultConfigText(options.suite, options.origin), 0600);
  if (!s.ok()) return Fail(s);
  auto config = LoadConfig(config_path);
  if (!config.ok()) return Fail(config.status());

  // Keys: created once by the parts that need them, never overwritten (not even with --force).
  fs::create_directories(config->Resolve("keys"), ec);
  ::chmod(config->Resolve("keys").c_str(), 0700);
  auto parts = ConfigureParts(*config);
  if (!parts.ok()) return Fail(parts.status());
  const part::InitChoices choices{options.suite, options.origin};
  for (const auto& p : parts->all()) {
    if (Status w = p->Initialise(choices, config->base_dir); !w.ok()) return Fail(w);
  }
  // Creating the App creates the database and applies every migration.
  auto app = App::Open(*config);
  if (!app.ok()) return Fail(app.status());
  std::printf("initialised %s (suite %s, database %s)\n", options.dir.c_str(),
              options.suite.c_str(), config->database.url.c_str());
  return 0;
}

int RunServe(const ServeOptions& options) {
  auto config = LoadConfig(options.config);
  if (!config.ok()) return Fail(config.status());
  // One server per data folder, checked before anything is written; held until we return.
  auto lock = DataFolderLock::Acquire(config->base_dir);
  if (!lock.ok()) return Fail(lock.status());
  StopSignals();
  SetUpLogging(config->log.level);
  auto app = App::Open(*config);
  if (!app.ok()) return Fail(app.status());
  return Serve(**app, options.listen, nullptr);
}

int RunDemo(const DemoOptions& options) {
  fs::path config_path = options.dir / "tongban.toml";
  if (!fs::exists(config_path)) {
    InitOptions init;
    init.dir = options.dir;
    init.suite = options.suite;
    init.origin = "demo.tongban.example/ledger";
    if (int rc = RunInit(init); rc != 0) return rc;
  }
  auto config = LoadConfig(config_path);
  if (!config.ok()) return Fail(config.status());
  auto lock = DataFolderLock::Acquire(config->base_dir);
  if (!lock.ok()) return Fail(lock.status());
  StopSignals();
  SetUpLogging(config->log.level);
  auto app = App::Open(*config);
  if (!app.ok()) return Fail(app.status());
  auto credentials = LoadDemoData(**app, options.dir / "demo-credentials.tsv");
  if (!credentials.ok()) return Fail(credentials.status());
  std::string listen = options.listen;
  return Serve(**app, listen, [&](uint16_t port) {
    std::string host = listen.substr(0, listen.rfind(':'));
    std::printf("\nTongban demo is ready: http://%s:%u/\n\n%s\n", host.c_str(), port,
                FormatCredentials(*credentials).c_str());
    // The notify part's file sink stands in for the SMS gateway (docs/auth.md).
    std::printf("One-time codes (login with a code, password reset) are \"sent\" to %s\n\n",
                (fs::absolute(options.dir) / "notifications.jsonl").string().c_str());
    std::fflush(stdout);
  });
}

int RunWitness(const WitnessOptions& options) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Fail(Status::Unavailable("cannot create " + options.dir.string()));
  ::chmod(options.dir.c_str(), 0700);
  if (options.logs.empty()) {
    return Fail(Status::InvalidField("--log", "name at least one log to witness (its verifier key)"));
  }
  // The witness's own Ed25519 key: created once, kept.
  fs::path key_file = options.dir / "witness.key";
  if (!fs::exists(key_file)) {
    auto key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519);
    if (!key.ok()) return Fail(key.status());
    if (Status s = key->WritePemFile(key_file.string()); !s.ok()) return Fail(s);
  }
  auto key = crypto::PrivateKey::ReadPemFile(crypto::SignatureAlgorithm::kEd25519, key_file.string());
  if (!key.ok()) return Fail(key.status());
  auto vkey = ledger::CosignatureVerifierKeyString(options.name, key->public_key());
  if (!vkey.ok()) return Fail(vkey.status());

  std::vector<ledger::WitnessedLog> logs;
  for (const std::string& text : options.logs) {
    auto parsed = ledger::ParseNoteVerifierKey(text);
    if (!parsed.ok()) return Fail(Status::InvalidField("--log", parsed.status().message()));
    auto verifier = ledger::ParseNoteVerifier(text);
    if (!verifier.ok()) return Fail(Status::InvalidField("--log", verifier.status().message()));
    // Tongban convention: a log's key is named after its origin; gm logs hash with SM3.
    logs.push_back(ledger::WitnessedLog{
        parsed->name, {*verifier},
        parsed->type == ledger::NoteKeyType::kSm2 ? crypto::HashAlgorithm::kSm3
                                                  : crypto::HashAlgorithm::kSha256});
  }

  StopSignals();
  SetUpLogging("info");
  auto db = store::Database::Open("sqlite://" + fs::absolute(options.dir / "witness.db").string());
  if (!db.ok()) return Fail(db.status());
  if (Status s = store::Migrate(**db, ledger::WitnessMigrations()); !s.ok()) return Fail(s);
  SystemClock clock;
  auto signer = ledger::NewCosignatureSigner(options.name, *key, clock);
  if (!signer.ok()) return Fail(signer.status());
  std::vector<std::unique_ptr<ledger::NoteSigner>> signers;
  signers.push_back(std::move(signer).value());
  auto witness = ledger::Witness::Create(db->get(), std::move(signers), std::move(logs), clock);
  if (!witness.ok()) return Fail(witness.status());

  api::Dispatcher dispatcher(kVersion);
  api::AddWitnessRoutes(dispatcher.router(), **witness);
  dispatcher.AddSystemRoutes();
  api::ServerOptions server;
  if (Status s = ParseListen(options.listen, server.host, server.port); !s.ok()) return Fail(s);
  // 63 proof lines and a note with at most 100 signatures fit well inside 64 KiB.
  server.body_limit = 64 << 10;
  return RunHttpServer(dispatcher, server, [&](uint16_t port) {
    std::printf("Tongban witness %s is ready: http://%s:%u/add-checkpoint\nverifier key: %s\n",
                options.name.c_str(), server.host.c_str(), port, vkey->c_str());
    std::fflush(stdout);
  });
}

}  // namespace tongban::cli
