// The world the services part's tests run in: a test database (SQLite, or PostgreSQL when
// TONGBAN_TEST_PG is set) migrated for the ledger, data, licence, case and review parts; the data
// and licence services; and a CaseService wired into both as the part wires it (reads under a
// case, grants to a case). Each test class derives from it, sets the clock and calls OpenWorld.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "crypto/hmac.h"
#include "ledger/log_storage.h"
#include "notify/outbox.h"
#include "service/case_service.h"
#include "service/review_service.h"
#include "testing/databases.h"

namespace tongban::service {

class ServiceTestBase : public ::testing::TestWithParam<tongban::testing::Backend> {
 protected:
  static std::array<uint8_t, 32> SubjectHash(std::string_view s) {
    return crypto::HmacDigest(crypto::HashAlgorithm::kSha256, std::string(32, 's'), s);
  }

  // A notice the case or review service handed to the notification hub (notify_outbox).
  struct HubNotice {
    std::string recipient;  // citizen ID number
    boost::json::object vars;  // case, zh, en
  };
  // The person's notices of template "case.update" in the hub's outbox, oldest first.
  std::vector<HubNotice> HubNotices() {
    std::vector<HubNotice> out;
    EXPECT_TRUE((*db_)->Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT recipient, vars FROM notify_outbox "
                                              "WHERE template_id = 'case.update' ORDER BY id"));
      for (const auto& r : rows) {
        out.push_back({std::string(r.Text(0)), boost::json::parse(r.Text(1)).as_object()});
      }
      return Status::Ok();
    }).ok());
    return out;
  }

  // Opens the database and the services at `start_unix` seconds; false when the backend is not
  // available (the caller skips: GTEST_SKIP must be in the test's own SetUp). `more_migrations`
  // (another part's, such as identity's for the route tests) run first.
  bool OpenWorld(int64_t start_unix, CaseServiceOptions options = {},
                 std::vector<store::Migration> more_migrations = {}) {
    clock_.SetUnixMicros(start_unix * 1'000'000);
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) return false;
    std::vector<store::Migration> m = std::move(more_migrations);
    for (auto& x : ledger::LogStorageMigrations()) m.push_back(x);
    for (auto& x : notify::Migrations()) m.push_back(x);
    for (auto& x : data::DataService::Migrations()) m.push_back(x);
    for (auto& x : license::LicenseService::Migrations()) m.push_back(x);
    for (auto& x : CaseService::Migrations()) m.push_back(x);
    for (auto& x : ReviewService::Migrations()) m.push_back(x);
    EXPECT_TRUE(store::Migrate(**db_, m).ok());
    data::DataServiceOptions d;
    d.hash = crypto::HashAlgorithm::kSha256;
    d.subject_hash = SubjectHash;
    data_ = std::make_unique<data::DataService>(**db_, clock_, data::Catalogue::Builtin(), d);
    license::LicenseServiceOptions l;
    l.issuer_url = "https://zj.tongban.example/licenses";
    l.issuer_key = *crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEs256);
    l.ledger_hash = crypto::HashAlgorithm::kSha256;
    l.subject_hash = SubjectHash;
    auto licenses = license::LicenseService::Create(**db_, clock_, std::move(l));
    EXPECT_TRUE(licenses.ok()) << licenses.status().ToString();
    if (!licenses.ok()) return false;
    licenses_ = std::move(licenses).value();
    OpenCases(std::move(options));
    return true;
  }

  // (Re)creates the case service with `options` (hash and subject hash filled in) and wires it.
  void OpenCases(CaseServiceOptions options) {
    options.hash = crypto::HashAlgorithm::kSha256;
    options.subject_hash = SubjectHash;
    cases_ = std::make_unique<CaseService>(**db_, clock_, ServiceCatalogue::Builtin(), *data_, *licenses_,
                                           std::move(options));
    CaseService* c = cases_.get();
    data_->SetCaseCheck([c](store::Tx& tx, std::string_view dept, std::string_view number, std::string_view subject,
                            std::string_view dataset) { return c->CaseMayRead(tx, dept, number, subject, dataset); });
    licenses_->SetCaseCheck(
        [c](store::Tx& tx, std::string_view dept, std::string_view number) { return c->CaseOpenFor(tx, dept, number); });
  }

  FakeClock clock_;
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<data::DataService> data_;
  std::unique_ptr<license::LicenseService> licenses_;
  std::unique_ptr<CaseService> cases_;
};

}  // namespace tongban::service
