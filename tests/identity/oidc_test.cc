// The OIDC relying party without a network: IdTokenVerifier against tokens signed here with cjose
// (RS256 and ES256 keys made by the test), every refusal (alg none / HS256, bad signature, issuer,
// audience, azp, expiry, iat, nonce, unknown kid with its one rate-limited JWKS refresh, key
// rotation), and the whole flow of OidcLogins (start, callback, ticket, logout) on SQLite and
// PostgreSQL against a fake provider's HTTP: PKCE, state and ticket single use, account created
// once and linked after, acr on the session, RP-initiated logout.
#include <cjose/cjose.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "core/base64.h"
#include "crypto/hash.h"
#include "identity/identity_service.h"
#include "identity/oidc_login.h"
#include "identity/oidc_token.h"
#include "testing/databases.h"
#include "testing/synthetic_ids.h"

namespace tongban::identity {
namespace {

using tongban::testing::Backend;

constexpr int64_t kNow = 1'790'000'000;
const std::string kIssuer = "http://idp.test";

std::string Sha(std::string_view s) {
  auto d = crypto::Hash(crypto::HashAlgorithm::kSha256, s);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// A signing key made by cjose, with its public JWK.
struct TestKey {
  std::shared_ptr<cjose_jwk_t> jwk;
  std::string kid;
  std::string alg;
  std::string public_json;  // one JWK object

  static TestKey Rsa(std::string kid) {
    static const uint8_t e[] = {1, 0, 1};
    return Make(cjose_jwk_create_RSA_random(2048, e, sizeof e, nullptr), std::move(kid), "RS256");
  }
  static TestKey Ec(std::string kid) {
    return Make(cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, nullptr), std::move(kid), "ES256");
  }
  static TestKey Make(cjose_jwk_t* k, std::string kid, std::string alg) {
    TestKey t;
    t.jwk.reset(k, [](cjose_jwk_t* j) { cjose_jwk_release(j); });
    t.kid = kid;
    t.alg = alg;
    char* json = cjose_jwk_to_json(k, false, nullptr);
    boost::json::object o = boost::json::parse(json).as_object();
    free(json);
    o["kid"] = kid;
    o["use"] = "sig";
    t.public_json = boost::json::serialize(o);
    return t;
  }
  std::string Sign(const boost::json::object& claims) const {
    cjose_header_t* h = cjose_header_new(nullptr);
    cjose_header_set(h, CJOSE_HDR_ALG, alg.c_str(), nullptr);
    cjose_header_set(h, CJOSE_HDR_KID, kid.c_str(), nullptr);
    std::string payload = boost::json::serialize(claims);
    cjose_jws_t* jws = cjose_jws_sign(jwk.get(), h, reinterpret_cast<const uint8_t*>(payload.data()),
                                      payload.size(), nullptr);
    const char* out = nullptr;
    cjose_jws_export(jws, &out, nullptr);
    std::string s = out;
    cjose_jws_release(jws);
    cjose_header_release(h);
    return s;
  }
};

std::string JwksOf(const std::vector<const TestKey*>& keys) {
  std::string s = "{\"keys\":[";
  for (size_t i = 0; i < keys.size(); ++i) s += (i ? "," : "") + keys[i]->public_json;
  return s + "]}";
}

boost::json::object Claims(std::string_view nonce, int64_t now = kNow) {
  return boost::json::object{{"iss", kIssuer},      {"sub", "person-1"},
                             {"aud", "tongban"},    {"exp", now + 300},
                             {"iat", now},          {"nonce", nonce},
                             {"acr", "loa2"},       {"citizen_id", tongban::testing::kZhangWei},
                             {"name", "张伟"}};
}

// --- IdTokenVerifier -------------------------------------------------------------------------

class IdTokenVerifierTest : public ::testing::Test {
 protected:
  IdTokenVerifierTest() {
    jwks_doc_ = JwksOf({&rsa_, &ec_});
  }
  Result<IdTokenClaims> Verify(const std::string& token, std::string_view nonce = "n-1") {
    return verifier_.Verify(token, Sha(nonce));
  }
  std::string CodeOf(const Result<IdTokenClaims>& r) {
    return r.ok() ? "ok" : OidcErrorCode(r.status());
  }

  FakeClock clock_{kNow * 1'000'000};
  TestKey rsa_ = TestKey::Rsa("rsa-1");
  TestKey ec_ = TestKey::Ec("ec-1");
  std::string jwks_doc_;
  JwksCache jwks_{[this]() -> Result<std::string> { return jwks_doc_; }, clock_, 60};
  IdTokenVerifier verifier_{{.issuer = kIssuer, .client_id = "tongban"}, jwks_, clock_};
};

TEST_F(IdTokenVerifierTest, AcceptsRs256AndEs256) {
  auto r = Verify(rsa_.Sign(Claims("n-1")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sub, "person-1");
  EXPECT_EQ(r->acr, "loa2");
  EXPECT_EQ(r->StringClaim("name"), "张伟");
  auto e = Verify(ec_.Sign(Claims("n-1")));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(jwks_.fetches(), 1);  // fetched once, then cached
}

TEST_F(IdTokenVerifierTest, RefusesAlgNoneAndHs256) {
  std::string payload = Base64UrlEncode(boost::json::serialize(Claims("n-1")));
  EXPECT_EQ(CodeOf(Verify(Base64UrlEncode(R"({"alg":"none"})") + "." + payload + ".")), "bad_alg");
  // HS256 "signed" with the RSA key's public modulus as the HMAC secret (the classic confusion).
  EXPECT_EQ(CodeOf(Verify(Base64UrlEncode(R"({"alg":"HS256","kid":"rsa-1"})") + "." + payload +
                          ".c2lnbmF0dXJl")),
            "bad_alg");
}

TEST_F(IdTokenVerifierTest, RefusesABadSignature) {
  std::string token = rsa_.Sign(Claims("n-1"));
  // Another payload under the original signature.
  boost::json::object other = Claims("n-1");
  other["sub"] = "someone-else";
  size_t d1 = token.find('.'), d2 = token.rfind('.');
  std::string forged = token.substr(0, d1 + 1) + Base64UrlEncode(boost::json::serialize(other)) +
                       token.substr(d2);
  EXPECT_EQ(CodeOf(Verify(forged)), "bad_signature");
  // Signed by a key with the provider's kid but not the provider's.
  TestKey impostor = TestKey::Rsa("rsa-1");
  EXPECT_EQ(CodeOf(Verify(impostor.Sign(Claims("n-1")))), "bad_signature");
  EXPECT_EQ(CodeOf(Verify("not.a.token")), "malformed_id_token");
  EXPECT_EQ(CodeOf(Verify("onlyonepart")), "malformed_id_token");
  // A signature segment that is not base64url never reaches cjose.
  EXPECT_EQ(CodeOf(Verify(token.substr(0, d2) + ".a=b")), "malformed_id_token");
  EXPECT_EQ(CodeOf(Verify(token.substr(0, d2) + ".abcde")), "malformed_id_token");
}

TEST_F(IdTokenVerifierTest, ChecksIssuerAudienceAndAzp) {
  auto c = Claims("n-1");
  c["iss"] = "http://evil.test";
  EXPECT_EQ(CodeOf(Verify(rsa_.Sign(c))), "bad_issuer");
  c = Claims("n-1");
  c["aud"] = "another-client";
  EXPECT_EQ(CodeOf(Verify(rsa_.Sign(c))), "bad_audience");
  c = Claims("n-1");
  c["aud"] = boost::json::array{"tongban", "another-client"};
  EXPECT_EQ(CodeOf(Verify(rsa_.Sign(c))), "bad_audience");  // several audiences, no azp
  c["azp"] = "tongban";
  EXPECT_EQ(CodeOf(Verify(rsa_.Sign(c))), "ok");
  c["azp"] = "another-client";
  EXPECT_EQ(CodeOf(Verify(rsa_.Sign(c))), "bad_audience");
}

TEST_F(IdTokenVerifierTest, ChecksTimesWithLeeway) {
  auto c = Claims("n-1");
  c["exp"] = kNow - 30;  // within the 60 s leeway
  EXPECT_EQ(CodeOf(Verify(rsa_.Sign(c))), "ok");
  c["exp"] = kNow - 61;
  EXPECT_EQ(CodeOf(Verify(rsa_.Sign(c))), "expired");
  c = Claims("n-1");
  c["iat"] = kNow + 120;
  EXPECT_EQ(CodeOf(Verify(rsa_.Sign(c))), "bad_iat");
  c = Claims("n-1");
  c["iat"] = kNow - 3600;
  c["exp"] = kNow + 3600;
  EXPECT_EQ(CodeOf(Verify(rsa_.Sign(c))), "expired");  // issued too long ago
  c = Claims("n-1");
  c.erase("exp");
  EXPECT_EQ(CodeOf(Verify(rsa_.Sign(c))), "expired");
}

TEST_F(IdTokenVerifierTest, ChecksTheNonce) {
  EXPECT_EQ(CodeOf(Verify(rsa_.Sign(Claims("n-1")), "n-2")), "bad_nonce");
  auto c = Claims("n-1");
  c.erase("nonce");
  EXPECT_EQ(CodeOf(Verify(rsa_.Sign(c))), "bad_nonce");
}

TEST_F(IdTokenVerifierTest, UnknownKidRefreshesAtMostOncePerInterval) {
  ASSERT_EQ(CodeOf(Verify(rsa_.Sign(Claims("n-1")))), "ok");
  TestKey stranger = TestKey::Rsa("stranger");
  clock_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(CodeOf(Verify(stranger.Sign(Claims("n-1", kNow + 61)))), "unknown_kid");
  EXPECT_EQ(jwks_.fetches(), 2);  // one refresh for the unknown kid
  // More made-up kids within the interval: no more fetches.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(CodeOf(Verify(stranger.Sign(Claims("n-1", kNow + 61)))), "unknown_kid");
  }
  EXPECT_EQ(jwks_.fetches(), 2);
  // The provider rotates to a new key: after the interval, the first token with it refreshes.
  TestKey next = TestKey::Ec("ec-2");
  jwks_doc_ = JwksOf({&next});
  clock_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(CodeOf(Verify(next.Sign(Claims("n-1", kNow + 122)))), "ok");
  EXPECT_EQ(jwks_.fetches(), 3);
}

TEST(JwksTest, KeepsOnlyUsableSignatureKeys) {
  TestKey rsa = TestKey::Rsa("r");
  EXPECT_FALSE(Jwks::Parse("[]").ok());
  EXPECT_FALSE(Jwks::Parse(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})").ok());
  EXPECT_FALSE(Jwks::Parse(R"({"keys":[]})").ok());
  // An encryption key is skipped.
  std::string enc = rsa.public_json;
  enc.replace(enc.find("\"sig\""), 5, "\"enc\"");
  EXPECT_FALSE(Jwks::Parse("{\"keys\":[" + enc + "]}").ok());
  // Malformed base64url in key material is refused before cjose sees it (cjose 0.6.2 aborts on
  // some of it; found by fuzz/identity/id_token_fuzz.cc).
  EXPECT_FALSE(Jwks::Parse(R"({"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x=FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k"}]})").ok());
  auto ok = Jwks::Parse(JwksOf({&rsa}));
  ASSERT_TRUE(ok.ok());
  EXPECT_NE(ok->Find("r", "RS256"), nullptr);
  EXPECT_NE(ok->Find("", "RS256"), nullptr);  // a single key matches a token without kid
  EXPECT_EQ(ok->Find("r", "ES256"), nullptr);
}

// --- OidcLogins on both databases ----------------------------------------------------------

// The provider's side over OidcHttp: discovery, JWKS, and a token endpoint answering with what the
// test prepared for the code.
class FakeProvider : public OidcHttp {
 public:
  Result<Reply> Get(const std::string& url) override {
    if (url == kIssuer + "/.well-known/openid-configuration") {
      return Reply{200, R"({"issuer":"http://idp.test","authorization_endpoint":"http://idp.test/auth",
        "token_endpoint":"http://idp.test/token","jwks_uri":"http://idp.test/jwks",
        "end_session_endpoint":"http://idp.test/session/end"})"};
    }
    if (url == kIssuer + "/jwks") return Reply{200, jwks};
    return Reply{404, "{}"};
  }
  Result<Reply> PostForm(const std::string& url, const std::string& form,
                         const std::vector<std::pair<std::string, std::string>>& headers) override {
    if (url != kIssuer + "/token") return Reply{404, "{}"};
    last_form = form;
    last_headers = headers;
    std::map<std::string, std::string> f;
    for (size_t i = 0; i < form.size();) {
      size_t amp = form.find('&', i);
      if (amp == std::string::npos) amp = form.size();
      std::string kv = form.substr(i, amp - i);
      size_t eq = kv.find('=');
      f[kv.substr(0, eq)] = kv.substr(eq + 1);
      i = amp + 1;
    }
    auto it = codes.find(f["code"]);
    if (it == codes.end() || Base64UrlEncode(Sha(f["code_verifier"])) != it->second.challenge) {
      return Reply{400, R"({"error":"invalid_grant"})"};
    }
    std::string token = it->second.id_token;
    codes.erase(it);  // single use, as a real provider
    return Reply{200, "{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"id_token\":\"" + token + "\"}"};
  }
  struct Issued {
    std::string challenge;
    std::string id_token;
  };
  std::map<std::string, Issued> codes;
  std::string jwks;
  std::string last_form;
  std::vector<std::pair<std::string, std::string>> last_headers;
};

std::map<std::string, std::string> QueryOf(const std::string& url) {
  std::map<std::string, std::string> q;
  size_t i = url.find('?') + 1;
  while (i > 0 && i < url.size()) {
    size_t amp = url.find('&', i);
    if (amp == std::string::npos) amp = url.size();
    std::string kv = url.substr(i, amp - i);
    size_t eq = kv.find('=');
    q[kv.substr(0, eq)] = kv.substr(eq + 1);
    i = amp + 1;
  }
  return q;
}

class OidcLoginsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    auto migrations = IdentityService::Migrations();
    for (auto& m : OidcLogins::Migrations()) migrations.push_back(m);
    ASSERT_TRUE(store::Migrate(**db_, migrations).ok());
    IdentityOptions options;
    options.password = crypto::PasswordParams::ForTestsOnly();
    identity_ = std::make_unique<IdentityService>(**db_, clock_, std::string(32, 'k'), options);
    provider_.jwks = JwksOf({&key_});
    OidcProviderConfig c{.name = "zjzw", .issuer = kIssuer, .client_id = "tongban",
                         .client_secret = "s3cret:+/", .redirect_uri =
                             "http://127.0.0.1:8080/api/v1/auth/oidc/zjzw/callback",
                         .scopes = {"openid", "profile"}, .subject_claim = "citizen_id",
                         .display_name_zh = "浙江政务服务网", .display_name_en = "Zhejiang ID",
                         .post_logout_redirect_uri = "http://127.0.0.1:8080/portal"};
    ASSERT_TRUE(c.Validate("auth.oidc_providers[0]").ok());
    logins_ = std::make_unique<OidcLogins>(**db_, clock_, *identity_, provider_,
                                           std::vector<OidcProviderConfig>{c});
  }

  // Start, then the provider "logs the person in" and issues `code` for an ID token with the
  // start's nonce (claims changed by `edit`). Returns the state to call back with.
  std::string Authorise(const std::string& code,
                        const std::function<void(boost::json::object&)>& edit = {}) {
    auto start = logins_->Start("zjzw");
    EXPECT_TRUE(start.ok()) << start.status().ToString();
    auto q = QueryOf(start->url);
    bindings_[q["state"]] = start->binding;
    EXPECT_EQ(q["code_challenge_method"], "S256");
    EXPECT_EQ(q["client_id"], "tongban");
    EXPECT_EQ(q["scope"], "openid%20profile");
    auto claims = Claims(q["nonce"], clock_.NowUnixMicros() / 1'000'000);
    if (edit) edit(claims);
    provider_.codes[code] = {q["code_challenge"], key_.Sign(claims)};
    return q["state"];
  }

  // The callback as the browser that started the login makes it (with its binding cookie).
  Result<OidcTicket> Callback(const std::string& code, const std::string& state) {
    return logins_->Callback("zjzw", code, state, bindings_[state]);
  }

  FakeClock clock_{kNow * 1'000'000};
  std::map<std::string, std::string> bindings_;  // state -> binding cookie
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<IdentityService> identity_;
  TestKey key_ = TestKey::Rsa("k1");
  FakeProvider provider_;
  std::unique_ptr<OidcLogins> logins_;
};

TEST_P(OidcLoginsTest, FirstLoginCreatesTheAccountAndTheNextLinksToIt) {
  std::string state = Authorise("code-1");
  auto t = Callback("code-1", state);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->created);
  EXPECT_TRUE(t->ticket.starts_with("tbo_"));
  // client_secret_basic, form-encoded id and secret.
  ASSERT_EQ(provider_.last_headers.size(), 1u);
  EXPECT_EQ(provider_.last_headers[0].second,
            "Basic " + Base64Encode(std::string("tongban:s3cret%3A%2B%2F")));
  auto s = logins_->RedeemTicket(t->ticket);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->acr, "loa2");
  EXPECT_EQ(*logins_->SessionAcr(s->tokens.session_id), "loa2");
  auto p = identity_->Authenticate("Bearer " + s->tokens.access_token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->account_id, t->account_id);
  EXPECT_EQ(p->role, Role::kCitizen);
  auto account = identity_->GetAccount(t->account_id);
  EXPECT_EQ(account->display_name, "张伟");
  EXPECT_EQ(account->subject_id, tongban::testing::kZhangWei);
  EXPECT_EQ(account->region_code, "330106");

  // The ticket is single use.
  EXPECT_EQ(OidcErrorCode(logins_->RedeemTicket(t->ticket).status()), "bad_ticket");
  // Second login: same account.
  std::string state2 = Authorise("code-2");
  auto t2 = Callback("code-2", state2);
  ASSERT_TRUE(t2.ok()) << t2.status().ToString();
  EXPECT_FALSE(t2->created);
  EXPECT_EQ(t2->account_id, t->account_id);
}

TEST_P(OidcLoginsTest, LinksToAnExistingAccountWithTheSameSubject) {
  auto existing = identity_->CreateAccount(NewAccount{
      .login = "13800000001", .role = Role::kCitizen, .display_name = "张伟",
      .subject_id = tongban::testing::kZhangWei, .region_code = "330106"});
  ASSERT_TRUE(existing.ok());
  auto t = Callback("c", Authorise("c"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_FALSE(t->created);
  EXPECT_EQ(t->account_id, *existing);
}

// The person's link decides, not the lowest account id: two nodes that both made an account for
// one first login agree on the one linked first.
TEST_P(OidcLoginsTest, TheLinkDecidesWhichAccount) {
  auto older = identity_->CreateAccount(NewAccount{
      .login = "older", .role = Role::kCitizen, .display_name = "张伟",
      .subject_id = tongban::testing::kZhangWei});
  auto linked = identity_->CreateAccount(NewAccount{
      .login = "linked", .role = Role::kCitizen, .display_name = "张伟",
      .subject_id = tongban::testing::kZhangWei});
  ASSERT_TRUE(older.ok() && linked.ok());
  ASSERT_TRUE((*db_)->Transact([&](store::Tx& tx) -> Status {
    return tx.Exec("INSERT INTO oidc_subjects (subject_id, role, account_id, created_at) "
                   "VALUES (?, 'citizen', ?, 0)",
                   {tongban::testing::kZhangWei, *linked}).status();
  }).ok());
  auto t = Callback("c", Authorise("c"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->account_id, *linked);
  EXPECT_FALSE(t->created);
}

TEST_P(OidcLoginsTest, EnterpriseByUscc) {
  auto t = Callback("c", Authorise("c", [](boost::json::object& c) {
    c["citizen_id"] = tongban::testing::kCompany;
    c["name"] = "杭州西湖示范科技有限公司";
  }));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(identity_->GetAccount(t->account_id)->role, Role::kEnterprise);
}

TEST_P(OidcLoginsTest, RefusesReplaysAndBadTokens) {
  std::string state = Authorise("code-1");
  ASSERT_TRUE(Callback("code-1", state).ok());
  // The same callback again: the state is gone.
  EXPECT_EQ(OidcErrorCode(Callback("code-1", state).status()), "bad_state");
  // The used code with a fresh state: the provider refuses it.
  std::string fresh = Authorise("code-2");
  EXPECT_EQ(OidcErrorCode(Callback("code-1", fresh).status()), "code_rejected");
  // A wrong nonce.
  state = Authorise("code-3", [](boost::json::object& c) { c["nonce"] = "another-login"; });
  EXPECT_EQ(OidcErrorCode(Callback("code-3", state).status()), "bad_nonce");
  // A subject claim that is no ID number.
  state = Authorise("code-4", [](boost::json::object& c) { c["citizen_id"] = "not-an-id-number"; });
  EXPECT_EQ(OidcErrorCode(Callback("code-4", state).status()), "bad_subject");
  // Another browser's login (an attacker's code and state in a link): refused, and the state is
  // used up.
  state = Authorise("code-5");
  EXPECT_EQ(OidcErrorCode(logins_->Callback("zjzw", "code-5", state, "another-browser").status()),
            "bad_state");
  EXPECT_EQ(OidcErrorCode(Callback("code-5", state).status()), "bad_state");
  // An unknown state, an unknown provider.
  EXPECT_EQ(OidcErrorCode(Callback("x", "made-up").status()), "bad_state");
  EXPECT_EQ(logins_->Callback("other", "x", "y", "").status().code(), ErrorCode::kNotFound);
}

TEST_P(OidcLoginsTest, StatesAndTicketsExpire) {
  std::string state = Authorise("code-1");
  clock_.Advance(std::chrono::seconds(601));
  EXPECT_EQ(OidcErrorCode(Callback("code-1", state).status()), "bad_state");
  state = Authorise("code-2");
  auto t = Callback("code-2", state);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::string stale = Authorise("code-3");
  clock_.Advance(std::chrono::seconds(601));
  EXPECT_EQ(OidcErrorCode(logins_->RedeemTicket(t->ticket).status()), "bad_ticket");
  auto purged = logins_->Purge();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);  // the unused state (the expired ticket was taken by the redemption)
}

TEST_P(OidcLoginsTest, LogoutRevokesAndNamesTheProvidersEndSession) {
  auto t = Callback("c", Authorise("c"));
  ASSERT_TRUE(t.ok());
  auto s = logins_->RedeemTicket(t->ticket);
  ASSERT_TRUE(s.ok());
  auto url = logins_->Logout(s->tokens.session_id);
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  auto q = QueryOf(*url);
  EXPECT_TRUE(url->starts_with("http://idp.test/session/end?"));
  EXPECT_FALSE(q["id_token_hint"].empty());
  EXPECT_EQ(q["post_logout_redirect_uri"], "http%3A%2F%2F127.0.0.1%3A8080%2Fportal");
  EXPECT_FALSE(identity_->Authenticate("Bearer " + s->tokens.access_token).ok());
}

TEST(OidcProviderConfigTest, RefusesBadConfig) {
  OidcProviderConfig c{.name = "zjzw", .issuer = kIssuer, .client_id = "tongban",
                       .client_secret = "s", .redirect_uri =
                           "http://127.0.0.1:8080/api/v1/auth/oidc/zjzw/callback",
                       .display_name_zh = "浙江", .display_name_en = "Zhejiang"};
  EXPECT_TRUE(c.Validate("p").ok());
  auto bad = c;
  bad.name = "Bad Name";
  EXPECT_EQ(bad.Validate("p").fields().at(0).field, "p.name");
  bad = c;
  bad.redirect_uri = "http://127.0.0.1:8080/elsewhere";
  EXPECT_EQ(bad.Validate("p").fields().at(0).field, "p.redirect_uri");
  bad = c;
  bad.scopes = {"profile"};
  EXPECT_EQ(bad.Validate("p").fields().at(0).field, "p.scopes");
  bad = c;
  bad.issuer = "idp.test";
  EXPECT_EQ(bad.Validate("p").fields().at(0).field, "p.issuer");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, OidcLoginsTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, OidcLoginsTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::identity
