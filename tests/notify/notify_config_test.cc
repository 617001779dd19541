// The [notify] section: its defaults, and a bad value refused at start with the key named (an
// unknown gateway, a webhook without a URL, a limit out of range, a webhook whose secret file is
// missing). docs/config.md "[notify]".
#include <gtest/gtest.h>

#include <filesystem>
#include <toml++/toml.h>

#include "notify/part/notify_part.h"
#include "part/config_section.h"
#include "part/part_set.h"

namespace tongban::notify {
namespace {

Status Configure(NotifyPart& part, const std::string& text) {
  toml::table root = toml::parse(text);
  part::ConfigSection section("notify", root["notify"].as_table());
  return part.Configure(section);
}

std::string FirstField(const Status& s) { return s.fields().empty() ? "" : s.fields()[0].field; }

TEST(NotifyConfigTest, DefaultsAndBadValuesNamed) {
  NotifyPart defaults;
  ASSERT_TRUE(Configure(defaults, "").ok());
  EXPECT_EQ(defaults.config().gateway, "file");
  EXPECT_EQ(defaults.config().max_attempts, 8);
  NotifyPart written;  // the section `tongban init` writes reads back
  ASSERT_TRUE(Configure(written, written.DefaultConfig({})).ok());

  NotifyPart a;
  Status s = Configure(a, "[notify]\ngateway = \"sms\"\n");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(FirstField(s), "notify.gateway");
  NotifyPart b;
  s = Configure(b, "[notify]\ngateway = \"webhook\"\n");
  EXPECT_EQ(FirstField(s), "notify.webhook_url");
  NotifyPart c;
  s = Configure(c, "[notify]\nmax_attempts = 0\n");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(s.ToString().find("notify.max_attempts"), std::string::npos) << s.ToString();
  // A lease no longer than one POST's timeout would resend a slow POST still in flight.
  NotifyPart d;
  s = Configure(d, "[notify]\nlease_s = 5\ntimeout_ms = 5000\n");
  EXPECT_EQ(FirstField(s), "notify.lease_s") << s.ToString();
  NotifyPart e;
  EXPECT_TRUE(Configure(e, "[notify]\nlease_s = 6\ntimeout_ms = 5000\n").ok());
}

TEST(NotifyConfigTest, AWebhookWithoutItsSecretStopsTheStart) {
  NotifyPart part;
  ASSERT_TRUE(Configure(part, "[notify]\ngateway = \"webhook\"\nwebhook_url = \"http://127.0.0.1:9/notify\"\n"
                              "secret_file = \"no-such.secret\"\n")
                  .ok());
  auto db = store::Database::Open("sqlite::memory:");
  ASSERT_TRUE(db.ok());
  SystemClock clock;
  part::PartSet parts;
  part::PartContext context{.db = **db, .clock = clock, .base_dir = std::filesystem::temp_directory_path(),
                            .parts = parts};
  Status s = part.Open(context);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("notify.secret_file"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace tongban::notify
