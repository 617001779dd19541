// tongban: the one binary. Parses the command line (CLI11) and calls a sub-command.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "cli/key_commands.h"
#include "cli/data_folder.h"
#include "cli/ledger_commands.h"
#include "cli/license_commands.h"
#include "cli/receipt_commands.h"
#include "cli/version.h"

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

  VerifyOptions verify;
  auto* verify_cmd = app.add_subcommand(
      "verify", "Check a ledger inclusion proof offline against a trusted verifier key");
  verify_cmd->add_option("--key", verify.key, "The log's verifier key string, or a file with it")
      ->required();
  verify_cmd->add_option("--proof", verify.proof,
                         "Proof file: the JSON of GET /api/v1/ledger/proofs/inclusion")
      ->required();
  verify_cmd->add_option("--document", verify.document,
                         "The document the entry commits to (its hash is checked too)");

  VerifyLicenseOptions verify_license;
  auto* verify_license_cmd = app.add_subcommand(
      "verify-license", "Check a licence presentation offline against the issuer's key and status list");
  verify_license_cmd->add_option("--token", verify_license.token, "File holding the presentation token")
      ->required();
  verify_license_cmd->add_option("--issuer", verify_license.issuer,
                                 "The JSON of GET /api/v1/licenses/issuer");
  verify_license_cmd->add_option("--status", verify_license.status,
                                 "The signed status list of GET /api/v1/licenses/status");
  verify_license_cmd->add_option("--trust", verify_license.trust, "A trust list of several issuers");
  verify_license_cmd->add_option("--max-age", verify_license.max_age_s,
                                 "Seconds a presentation stays acceptable")
      ->capture_default_str();

  VerifyReceiptOptions verify_receipt;
  auto* verify_receipt_cmd = app.add_subcommand(
      "verify-receipt",
      "Check a medical e-receipt offline: ledger proof, document, signed batch manifest, QR");
  verify_receipt_cmd->add_option("--answer", verify_receipt.answer,
                                 "The JSON of GET /api/v1/receipts/verify?…&manifest=1")
      ->required();
  verify_receipt_cmd->add_option("--keys", verify_receipt.keys,
                                 "The JSON of GET /api/v1/receipts/keys")
      ->required();
  verify_receipt_cmd->add_option("--log-key", verify_receipt.log_key,
                                 "The ledger's verifier key string, or a file with it")
      ->required();
  verify_receipt_cmd->add_option("--qr", verify_receipt.qr,
                                 "A scanned QR text TBR1.… (its finance signature is checked too)");

  AuditOptionsCli audit;
  auto* audit_cmd = app.add_subcommand(
      "audit", "Replay the stored ledger: recompute every leaf, tile, root and signature");
  audit_cmd->add_option("-c,--config", audit.config, "Config file")->capture_default_str();

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

  KeysOptions keys;
  auto* keys_cmd = app.add_subcommand("keys", "API keys of department systems");
  keys_cmd->require_subcommand(1);
  auto add_config = [&keys](CLI::App* cmd) {
    cmd->add_option("-c,--config", keys.config, "Config file")->capture_default_str();
  };
  auto* keys_list = keys_cmd->add_subcommand("list", "List API keys (never their secrets)");
  add_config(keys_list);
  keys_list->add_option("--account", keys.account, "Only this department system's keys (login)");
  auto* keys_create = keys_cmd->add_subcommand("create", "Create an API key; prints it once");
  add_config(keys_create);
  keys_create->add_option("--account", keys.account, "The department system's login")->required();
  keys_create->add_option("--scope", keys.scopes, "A scope, e.g. receipt:issue (repeat)")->required();
  keys_create->add_option("--label", keys.label, "What the key is for")->required();
  auto* keys_rotate = keys_cmd->add_subcommand(
      "rotate", "Replace a key: prints the new key; the old one works for --overlap-s, then stops");
  add_config(keys_rotate);
  keys_rotate->add_option("--key-id", keys.key_id, "The 12 hex characters after tbk_")->required();
  keys_rotate->add_option("--overlap-s", keys.overlap_s, "Seconds the old key keeps working")
      ->capture_default_str();
  auto* keys_revoke = keys_cmd->add_subcommand("revoke", "Revoke a key now");
  add_config(keys_revoke);
  keys_revoke->add_option("--key-id", keys.key_id, "The 12 hex characters after tbk_")->required();

  ReceiptsDestroyOptions destroy;
  auto* receipts_cmd = app.add_subcommand("receipts", "Medical e-receipt administration");
  receipts_cmd->require_subcommand(1);
  auto* destroy_cmd = receipts_cmd->add_subcommand(
      "destroy", "Destroy (核销) receipt documents past retention; hashes and ledger leaves stay");
  destroy_cmd->add_option("-c,--config", destroy.config, "Config file")->capture_default_str();
  destroy_cmd->add_option("--before", destroy.before,
                          "Destroy receipts issued before this date (YYYY-MM-DD, China time)")
      ->required();

  CLI11_PARSE(app, argc, argv);

  if (*version) {
    std::printf("tongban %s\nsuites: gm (SM3 + SM2, default), intl (SHA-256 + Ed25519)\n",
                tongban::cli::kVersion);
    return 0;
  }
  if (*init_cmd) return RunInit(init);
  if (*serve_cmd) return RunServe(serve);
  if (*demo_cmd) return RunDemo(demo);
  if (*verify_cmd) return RunVerify(verify);
  if (*verify_license_cmd) return RunVerifyLicense(verify_license);
  if (*verify_receipt_cmd) return RunVerifyReceipt(verify_receipt);
  if (*audit_cmd) return RunAudit(audit);
  if (*witness_cmd) return RunWitness(witness);
  if (*destroy_cmd) return RunReceiptsDestroy(destroy);
  if (*keys_list) return RunKeysList(keys);
  if (*keys_create) return RunKeysCreate(keys);
  if (*keys_rotate) return RunKeysRotate(keys);
  if (*keys_revoke) return RunKeysRevoke(keys);
  return 2;
}
