// `tongban verify-license`; see license_commands.h.
#include "license/part/license_commands.h"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "license/jws.h"
#include "license/offline_verify.h"
#include "license/trust_list.h"

namespace tongban::license {
namespace fs = std::filesystem;
namespace {

Result<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("file", path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "tongban verify-license: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int RunVerifyLicense(const VerifyLicenseOptions& options) {
  license::TrustList trust;
  if (options.trust) {
    auto text = ReadText(*options.trust);
    if (!text.ok()) return Fail(text.status());
    auto parsed = license::TrustList::Parse(*text);
    if (!parsed.ok()) return Fail(parsed.status());
    trust = std::move(parsed).value();
  }
  if (options.issuer) {
    auto text = ReadText(*options.issuer);
    if (!text.ok()) return Fail(text.status());
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(*text, ec);
    if (ec || !doc.is_object() || !doc.as_object().contains("iss") || !doc.as_object().at("iss").is_string() ||
        !doc.as_object().contains("jwk")) {
      return Fail(Status::InvalidField("--issuer", "must be the JSON of GET /api/v1/licenses/issuer"));
    }
    auto key = license::PublicKeyFromJwk(doc.as_object().at("jwk"));
    if (!key.ok()) return Fail(key.status());
    std::string status_jwt;
    if (options.status) {
      auto s = ReadText(*options.status);
      if (!s.ok()) return Fail(s.status());
      status_jwt = *s;
    }
    trust.Add(license::TrustedIssuer{std::string(doc.as_object().at("iss").as_string()), "", "", *key, {},
                                     status_jwt});
  }
  if (trust.issuers().empty()) return Fail(Status::InvalidArgument("give --issuer or --trust"));
  auto token = ReadText(options.token);
  if (!token.ok()) return Fail(token.status());
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto r = license::VerifyLicenseOffline(*token, trust, now, options.max_age_s);
  if (!r.ok()) return Fail(r.status());
  if (!r->valid) {
    std::printf("FAIL %s: %s\n", r->status.c_str(), r->reason.c_str());
    return 1;
  }
  std::printf("OK valid%s\n", r->status_checked ? " (status list checked)" : " (status NOT checked)");
  const auto& p = r->payload;
  for (const char* k : {"license_id", "vct", "issuing_authority"}) {
    if (const auto* v = p.if_contains(k); v && v->is_string()) {
      std::printf("%s: %s\n", k, std::string(v->as_string()).c_str());
    }
  }
  for (const std::string& name : r->disclosed) {
    std::printf("disclosed %s: %s\n", name.c_str(), boost::json::serialize(p.at(name)).c_str());
  }
  std::printf("note: one-time use (replay) can only be checked online\n");
  return 0;
}

void AddLicenseCommands(part::Commands& commands, VerifyLicenseOptions& options) {
  CLI::App* cmd = commands.Add(
      nullptr, "verify-license",
      "Check a licence presentation offline against the issuer's key and status list",
      [&options] { return RunVerifyLicense(options); });
  cmd->add_option("--token", options.token, "File holding the presentation token")->required();
  cmd->add_option("--issuer", options.issuer, "The JSON of GET /api/v1/licenses/issuer");
  cmd->add_option("--status", options.status, "The signed status list of GET /api/v1/licenses/status");
  cmd->add_option("--trust", options.trust, "A trust list of several issuers");
  cmd->add_option("--max-age", options.max_age_s, "Seconds a presentation stays acceptable")
      ->capture_default_str();
}

}  // namespace tongban::license
