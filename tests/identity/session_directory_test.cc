// SessionDirectory on SQLite and PostgreSQL: a session shows its device and region at once (from
// memory) and after a flush (from the table), the current one is marked, another person's session
// cannot be ended, ending others keeps mine; the region table and the device labels.
#include "identity/session_directory.h"

#include <gtest/gtest.h>

#include <atomic>

#include "testing/databases.h"

namespace tongban::identity {
namespace {

using tongban::testing::Backend;

constexpr std::string_view kChromeAndroid =
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.230 Mobile Safari/537.36";
constexpr std::string_view kSafariIphone =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.2 Mobile/15E148 Safari/604.1";

class SessionDirectoryTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store::DatabaseOptions db_options;
    // Armed by a test: the next session-use UPDATE fails (not a passing conflict).
    db_options.fault_hook = [this](std::string_view point) -> Status {
      if (point.find("UPDATE sessions SET last_used_at") != std::string_view::npos &&
          fail_next_use_update_.exchange(false)) {
        return Status::Internal("injected");
      }
      return Status::Ok();
    };
    db_ = tongban::testing::OpenTestDatabase(GetParam(), db_options);
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    auto migrations = IdentityService::Migrations();
    for (auto& m : SessionDirectory::Migrations()) migrations.push_back(m);
    ASSERT_TRUE(store::Migrate(**db_, migrations).ok());
    IdentityOptions options;
    options.password = crypto::PasswordParams::ForTestsOnly();
    identity_ = std::make_unique<IdentityService>(**db_, clock_, std::string(32, 'k'), options);
    for (auto [login, name] : {std::pair{"13800000001", "张伟"}, std::pair{"13800000002", "李娜"}}) {
      ASSERT_TRUE(identity_
                      ->CreateAccount(NewAccount{.login = login,
                                                 .display_name = name,
                                                 .password = "correct horse"})
                      .ok());
    }
    directory_ = std::make_unique<SessionDirectory>(**db_, clock_, *identity_,
                                                    RegionTable::Builtin());
  }

  Principal LogIn(std::string_view login) {
    auto pair = identity_->Login(login, "correct horse");
    EXPECT_TRUE(pair.ok());
    auto p = identity_->Authenticate("Bearer " + pair->access_token);
    EXPECT_TRUE(p.ok());
    return *p;
  }

  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::atomic<bool> fail_next_use_update_{false};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<IdentityService> identity_;
  std::unique_ptr<SessionDirectory> directory_;
};

TEST_P(SessionDirectoryTest, SessionsShowDeviceRegionAndTheCurrentOne) {
  Principal phone = LogIn("13800000001");
  clock_.Advance(std::chrono::seconds(10));
  Principal laptop = LogIn("13800000001");
  directory_->Seen(phone.session_id, kChromeAndroid, "192.0.2.10");
  directory_->Seen(laptop.session_id, kSafariIphone, "127.0.0.1");
  auto list = directory_->List(phone.account_id, phone.session_id);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  const SessionInfo& first = (*list)[0].id == phone.session_id ? (*list)[0] : (*list)[1];
  const SessionInfo& second = (*list)[0].id == phone.session_id ? (*list)[1] : (*list)[0];
  EXPECT_TRUE(first.current);
  EXPECT_FALSE(second.current);
  EXPECT_EQ(first.device, "Chrome 120 · Android");
  EXPECT_EQ(first.region, "浙江省杭州市");
  EXPECT_EQ(second.device, "Safari 17 · iPhone");
  EXPECT_EQ(second.region, "本机/内网");

  // After a flush the table holds the same, and no full address.
  ASSERT_TRUE(directory_->Flush().ok());
  SessionDirectory fresh(**db_, clock_, *identity_, RegionTable::Builtin());
  auto again = fresh.List(phone.account_id, laptop.session_id);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  for (const SessionInfo& s : *again) {
    EXPECT_EQ(s.current, s.id == laptop.session_id);
    EXPECT_NE(s.device, "未知设备");
    EXPECT_EQ(s.region.find("192.0.2"), std::string::npos);
  }
}

TEST_P(SessionDirectoryTest, UsesAreThrottled) {
  Principal p = LogIn("13800000001");
  directory_->Seen(p.session_id, kChromeAndroid, "192.0.2.10");
  const int64_t first = clock_.NowUnixMicros() / 1'000'000;
  clock_.Advance(std::chrono::seconds(30));
  directory_->Seen(p.session_id, kSafariIphone, "198.51.100.1");  // within 60 s: not noted
  auto list = directory_->List(p.account_id, p.session_id);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)[0].last_used_at, first);
  EXPECT_EQ((*list)[0].region, "浙江省杭州市");
  clock_.Advance(std::chrono::seconds(31));
  directory_->Seen(p.session_id, kSafariIphone, "198.51.100.1");
  list = directory_->List(p.account_id, p.session_id);
  EXPECT_EQ((*list)[0].region, "浙江省宁波市");
}

TEST_P(SessionDirectoryTest, ARefreshIsALastUseKeepingTheDevice) {
  identity_->OnRefresh([this](int64_t id) { directory_->Refreshed(id); });
  auto pair = identity_->Login("13800000001", "correct horse");
  ASSERT_TRUE(pair.ok());
  auto p = identity_->Authenticate("Bearer " + pair->access_token);
  ASSERT_TRUE(p.ok());
  directory_->Seen(p->session_id, kChromeAndroid, "192.0.2.10");
  ASSERT_TRUE(directory_->Flush().ok());
  clock_.Advance(std::chrono::seconds(20));  // within the throttle: only a refresh notes it
  ASSERT_TRUE(identity_->Refresh(pair->refresh_token).ok());
  ASSERT_TRUE(directory_->Flush().ok());
  SessionDirectory fresh(**db_, clock_, *identity_, RegionTable::Builtin());
  auto list = fresh.List(p->account_id, p->session_id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].last_used_at, clock_.NowUnixMicros() / 1'000'000);
  EXPECT_EQ((*list)[0].device, "Chrome 120 · Android");
  EXPECT_EQ((*list)[0].region, "浙江省杭州市");
  identity_->OnRefresh(nullptr);
}

// True when every byte is printable ASCII or part of a well-formed UTF-8 sequence.
bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n;
  }
  return true;
}

TEST_P(SessionDirectoryTest, AUserAgentOfBadBytesDoesNotStopTheFlush) {
  // A header of bytes >= 0x80 that are not UTF-8 (PostgreSQL refuses them): the label keeps
  // printable ASCII only, and both sessions of the batch are written.
  Principal odd = LogIn("13800000001");
  Principal phone = LogIn("13800000002");
  directory_->Seen(odd.session_id, "\xff\xfe\xc3Tool\xe4\xbd/3.1 (\x80\xc3\x28)", "192.0.2.10");
  directory_->Seen(phone.session_id, kChromeAndroid, "192.0.2.10");
  ASSERT_TRUE(directory_->Flush().ok());
  SessionDirectory fresh(**db_, clock_, *identity_, RegionTable::Builtin());
  auto mine = fresh.List(odd.account_id, odd.session_id);
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].device, "Tool 3");
  EXPECT_EQ((*mine)[0].last_used_at, clock_.NowUnixMicros() / 1'000'000);
  auto hers = fresh.List(phone.account_id, phone.session_id);
  ASSERT_TRUE(hers.ok());
  EXPECT_EQ((*hers)[0].device, "Chrome 120 · Android");
}

TEST_P(SessionDirectoryTest, ABatchThatFailsIsWrittenRowByRow) {
  // The batch fails (not a passing conflict): each row is then written on its own, and the
  // next flush has nothing left to retry.
  Principal a = LogIn("13800000001");
  Principal b = LogIn("13800000002");
  directory_->Seen(a.session_id, kChromeAndroid, "192.0.2.10");
  directory_->Seen(b.session_id, kSafariIphone, "127.0.0.1");
  fail_next_use_update_ = true;
  ASSERT_TRUE(directory_->Flush().ok());
  EXPECT_FALSE(fail_next_use_update_.load());  // the batch did fail once
  SessionDirectory fresh(**db_, clock_, *identity_, RegionTable::Builtin());
  auto la = fresh.List(a.account_id, a.session_id);
  auto lb = fresh.List(b.account_id, b.session_id);
  ASSERT_TRUE(la.ok() && lb.ok());
  EXPECT_EQ((*la)[0].device, "Chrome 120 · Android");
  EXPECT_EQ((*lb)[0].device, "Safari 17 · iPhone");
  EXPECT_TRUE(directory_->Flush().ok());
}

TEST_P(SessionDirectoryTest, AnotherPersonsSessionIsNotFound) {
  Principal zhang = LogIn("13800000001");
  Principal li = LogIn("13800000002");
  EXPECT_EQ(directory_->End(zhang.account_id, li.session_id).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(identity_->Authenticate("Bearer x").status().code() == ErrorCode::kUnauthenticated);
  // Li's session still works; ending her own works and is final.
  EXPECT_TRUE(directory_->End(li.account_id, li.session_id).ok());
  EXPECT_EQ(directory_->End(li.account_id, li.session_id).code(), ErrorCode::kNotFound);
}

TEST_P(SessionDirectoryTest, EndOthersKeepsMine) {
  auto a = identity_->Login("13800000001", "correct horse");
  auto b = identity_->Login("13800000001", "correct horse");
  auto c = identity_->Login("13800000001", "correct horse");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto me = identity_->Authenticate("Bearer " + a->access_token);
  ASSERT_TRUE(me.ok());
  auto ended = directory_->EndOthers(me->account_id, me->session_id);
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(*ended, 2);
  EXPECT_TRUE(identity_->Authenticate("Bearer " + a->access_token).ok());
  EXPECT_FALSE(identity_->Authenticate("Bearer " + b->access_token).ok());
  EXPECT_FALSE(identity_->Authenticate("Bearer " + c->access_token).ok());
  auto list = directory_->List(me->account_id, me->session_id);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SessionDirectoryTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, SessionDirectoryTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

TEST(RegionTable, LongestPrefixWinsAndUnknownIsNamed) {
  auto t = RegionTable::Parse("cidr,region\n10.0.0.0/8,内网\n10.1.0.0/16,杭州\n2001:db8::/32,测试\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->Lookup("10.1.2.3"), "杭州");
  EXPECT_EQ(t->Lookup("10.2.2.3"), "内网");
  EXPECT_EQ(t->Lookup("::ffff:10.1.0.9"), "杭州");
  EXPECT_EQ(t->Lookup("2001:db8::1"), "测试");
  EXPECT_EQ(t->Lookup("8.8.8.8"), "未知");
  EXPECT_EQ(t->Lookup("not an address"), "未知");
  EXPECT_FALSE(RegionTable::Parse("10.0.0.0/40,x\n").ok());
  EXPECT_FALSE(RegionTable::Parse("10.0.0.0,x\n").ok());
  EXPECT_GT(RegionTable::Builtin().size(), 10u);
  EXPECT_EQ(RegionTable::Builtin().Lookup("::1"), "本机/内网");
}

TEST(ShortDevice, Labels) {
  EXPECT_EQ(ShortDevice(kChromeAndroid), "Chrome 120 · Android");
  EXPECT_EQ(ShortDevice(kSafariIphone), "Safari 17 · iPhone");
  EXPECT_EQ(ShortDevice("curl/8.5.0"), "curl 8");
  EXPECT_EQ(ShortDevice(""), "未知设备");
  EXPECT_LE(ShortDevice(std::string(500, 'x')).size(), 64u);
  EXPECT_EQ(ShortDevice("\xff\xfe\xc3Tool\xe4\xbd/3.1"), "Tool 3");
  EXPECT_EQ(ShortDevice("\xe5\xbe\xae/1 Linux"), "Linux");
  EXPECT_EQ(ShortDevice("\xff\xfe"), "未知设备");
  // Whatever the bytes, the label is valid UTF-8.
  for (int b = 0x80; b <= 0xff; ++b) {
    std::string ua = "Mozilla/5.0 (X11; Linux) " + std::string(30, static_cast<char>(b)) + "/2";
    EXPECT_TRUE(ValidUtf8(ShortDevice(ua))) << b;
    EXPECT_TRUE(ValidUtf8(ShortDevice(std::string(40, static_cast<char>(b)) + "/2"))) << b;
  }
}

}  // namespace
}  // namespace tongban::identity
