// Config parsing: defaults, every option, and each kind of bad config gets a field-level error.
#include "cli/config.h"

#include <gtest/gtest.h>

#include "identity/part/identity_part.h"
#include "ledger/part/ledger_part.h"
#include "license/part/license_part.h"
#include "receipt/part/receipt_part.h"

namespace tongban::cli {
namespace {

// The ledger part's section as the parts list reads it from `c`.
ledger::LedgerConfig Ledger(const Config& c) {
  auto parts = ConfigureParts(c);
  EXPECT_TRUE(parts.ok()) << parts.status().ToString();
  if (!parts.ok()) return {};
  return parts->Find<ledger::LedgerPart>()->config();
}

TEST(Config, EmptyFileGivesDefaults) {
  auto c = ParseConfig("", "/etc/tongban");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server.port, 8080);
  EXPECT_EQ(Ledger(*c).suite, "gm");
  EXPECT_EQ(c->Resolve("tongban.db"), std::filesystem::path("/etc/tongban/tongban.db"));
  EXPECT_EQ(c->Resolve("/var/lib/x.db"), std::filesystem::path("/var/lib/x.db"));
}

TEST(Config, DefaultTextParsesBackToDefaults) {
  auto c = ParseConfig(DefaultConfigText("intl", "zj.example/ledger"), ".");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(Ledger(*c).suite, "intl");
  EXPECT_EQ(Ledger(*c).origin, "zj.example/ledger");
  EXPECT_EQ(c->server.host, "127.0.0.1");
  EXPECT_EQ(c->database.url, "sqlite://tongban.db?synchronous=full");
}

TEST(Config, ReadsEveryOption) {
  auto c = ParseConfig(R"(
[server]
listen = "0.0.0.0:9000"
threads = 4
handler_threads = 32
body_limit_bytes = 2048
[database]
url = "postgresql://tongban@127.0.0.1:5432/tongban"
pool_size = 16
[ledger]
suite = "intl"
batch_max_entries = 10
batch_max_delay_ms = 5
[log]
level = "warn"
)", ".");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server.host, "0.0.0.0");
  EXPECT_EQ(c->server.port, 9000);
  EXPECT_EQ(c->server.threads, 4);
  EXPECT_EQ(c->server.handler_threads, 32);
  EXPECT_EQ(c->database.pool_size, 16);
  EXPECT_EQ(Ledger(*c).batch_max_delay_ms, 5);
  EXPECT_EQ(c->log.level, "warn");
}

void ExpectFieldError(std::string_view toml, std::string_view field) {
  auto c = ParseConfig(toml, ".");
  ASSERT_FALSE(c.ok()) << toml;
  EXPECT_EQ(c.status().code(), ErrorCode::kInvalidArgument);
  ASSERT_FALSE(c.status().fields().empty()) << c.status().ToString();
  EXPECT_EQ(c.status().fields()[0].field, field) << c.status().ToString();
}

TEST(Config, UnknownKeysAreRejected) {
  ExpectFieldError("[server]\nlisten_port = 80\n", "server.listen_port");
  ExpectFieldError("[srever]\n", "srever");
  ExpectFieldError("top = 1\n", "top");
}

TEST(Config, WrongTypesAreRejected) {
  ExpectFieldError("[server]\nthreads = \"two\"\n", "server.threads");
  ExpectFieldError("[database]\nurl = 5\n", "database.url");
  ExpectFieldError("server = 3\n", "server");
}

TEST(Config, BadValuesAreRejected) {
  ExpectFieldError("[database]\nurl = \"mysql://x\"\n", "database.url");
  ExpectFieldError("[server]\nlisten = \"localhost\"\n", "server.listen");
  ExpectFieldError("[server]\nlisten = \"127.0.0.1:99999\"\n", "server.listen");
  ExpectFieldError("[server]\nthreads = 0\n", "server.threads");
  ExpectFieldError("[server]\nhandler_threads = -1\n", "server.handler_threads");
  ExpectFieldError("[server]\nhandler_threads = 2000\n", "server.handler_threads");
  ExpectFieldError("[server]\nhandler_threads = \"many\"\n", "server.handler_threads");
  ExpectFieldError("[ledger]\nsuite = \"rsa\"\n", "ledger.suite");
  ExpectFieldError("[ledger]\norigin = \"has space\"\n", "ledger.origin");
  ExpectFieldError("[ledger]\nbatch_max_delay_ms = 5000\n", "ledger.batch_max_delay_ms");
  ExpectFieldError("[log]\nlevel = \"loud\"\n", "log.level");
  ExpectFieldError("[server]\ntls_cert_file = \"cert.pem\"\n", "server.tls_key_file");
}

TEST(Config, InvalidTomlNamesTheLine) {
  auto c = ParseConfig("[server]\nlisten = \n", ".");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("line 2"), std::string::npos) << c.status().message();
}

TEST(Config, MissingFileIsNotFound) {
  auto c = LoadConfig("/nonexistent/tongban.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kNotFound);
}

TEST(ParseListen, AcceptsHostPortAndBracketedIpv6) {
  std::string host;
  uint16_t port = 1;
  ASSERT_TRUE(ParseListen("127.0.0.1:0", host, port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(ParseListen("[::1]:8443", host, port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8443);
  EXPECT_FALSE(ParseListen(":80", host, port).ok());
  EXPECT_FALSE(ParseListen("host:", host, port).ok());
  EXPECT_FALSE(ParseListen("host:8o", host, port).ok());
}

}  // namespace
}  // namespace tongban::cli

namespace tongban::cli {
namespace {

TEST(Config, ReadsWitnesses) {
  auto c = ParseConfig(R"(
[ledger]
witness_quorum = 1
[[ledger.witnesses]]
url = "http://127.0.0.1:9001"
key = "w1+01020304+BAAA"
[[ledger.witnesses]]
url = "http://127.0.0.1:9002"
key = "w2+01020304+BAAA"
)", ".");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(Ledger(*c).witnesses.size(), 2u);
  EXPECT_EQ(Ledger(*c).witnesses[1].url, "http://127.0.0.1:9002");
  EXPECT_EQ(Ledger(*c).witness_quorum, 1);
}

TEST(Config, BadWitnessesAreRejected) {
  ExpectFieldError("[ledger]\nwitness_quorum = 1\n", "ledger.witness_quorum");
  ExpectFieldError("[ledger]\nwitnesses = 3\n", "ledger.witnesses");
  ExpectFieldError("[[ledger.witnesses]]\nurl = \"ftp://x\"\nkey = \"k\"\n", "ledger.witnesses[0].url");
  ExpectFieldError("[[ledger.witnesses]]\nurl = \"http://x\"\n", "ledger.witnesses[0].key");
  ExpectFieldError("[[ledger.witnesses]]\nurl = \"http://x\"\nkey = \"k\"\nkye = 1\n",
                   "ledger.witnesses[0].kye");
}

}  // namespace
}  // namespace tongban::cli

namespace tongban::cli {
namespace {

// Every part's section: defaults, read back, and unknown keys refused naming "section.key".
TEST(Config, EveryPartReadsItsOwnSection) {
  auto c = ParseConfig(R"(
[auth]
access_ttl_s = 600
[receipt]
retention_years = 40
[license]
trust_list_file = "trust/other-regions.json"
)", "/srv/tongban");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto parts = ConfigureParts(*c);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->Find<identity::IdentityPart>()->config().access_ttl_s, 600);
  EXPECT_EQ(parts->Find<receipt::ReceiptPart>()->config().retention_years, 40);
  EXPECT_EQ(parts->Find<license::LicensePart>()->config().trust_list_file, "trust/other-regions.json");
  EXPECT_EQ(parts->Find<license::LicensePart>()->config().issuer_key_file, "keys/license-issuer.pem");
  ExpectFieldError("[auth]\naccess_ttl = 600\n", "auth.access_ttl");
  ExpectFieldError("[auth]\naccess_ttl_s = 10\n", "auth.access_ttl_s");
  ExpectFieldError("[receipt]\nretention_years = 0\n", "receipt.retention_years");
  ExpectFieldError("[license]\nissuer_url = \"http://x\"\n", "license.issuer_url");
  ExpectFieldError("[license]\nkey = 1\n", "license.key");
}

}  // namespace
}  // namespace tongban::cli
