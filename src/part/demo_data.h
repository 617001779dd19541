// DemoData: what the parts' demo steps (Part::LoadDemo, `tongban demo`) share — the accounts made
// so far, the credential lines the demo prints, and synthetic identifiers (valid check digits,
// never real numbers). Each part adds its own accounts (a hospital is the receipt part's) and
// records; the identity service does the account work. Not thread-safe (start-up only).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "identity/identity_service.h"

namespace tongban::part {

// The password of every demo account (listed in the README).
inline constexpr const char* kDemoPassword = "tongban-demo";

struct DemoCredential {
  std::string role;
  std::string who;       // display name
  std::string login;     // login name, or "-" for API-key-only accounts
  std::string secret;    // the password or the API key
};

// A synthetic citizen ID number with a valid check digit: region + birth date + sequence.
std::string SyntheticCitizenId(std::string_view region6, std::string_view birth8,
                               std::string_view seq3);
// A synthetic USCC with valid organisation-code and final check characters.
std::string SyntheticUscc(std::string_view prefix2, std::string_view region6,
                          std::string_view org_body8);

class DemoData {
 public:
  struct Account {
    int64_t id = 0;
    identity::NewAccount account;
  };

  DemoData(identity::IdentityService& identity, const Clock& clock)
      : identity_(identity), clock_(clock) {}

  // Creates a demo account: with kDemoPassword, or with an API key of `scopes` instead when
  // scopes are given (department systems). Adds its credential line.
  Result<int64_t> AddAccount(identity::NewAccount account, std::vector<std::string> scopes = {});
  // A demo account added earlier, by login; kNotFound naming it otherwise.
  Result<const Account*> Find(std::string_view login) const;
  const std::vector<Account>& accounts() const { return accounts_; }

  // A line to print that is not an account (a sample receipt to verify).
  void AddCredential(DemoCredential credential) { credentials_.push_back(std::move(credential)); }
  const std::vector<DemoCredential>& credentials() const { return credentials_; }

  identity::IdentityService& identity() { return identity_; }
  const Clock& clock() const { return clock_; }

 private:
  identity::IdentityService& identity_;
  const Clock& clock_;
  std::vector<Account> accounts_;
  std::vector<DemoCredential> credentials_;
};

}  // namespace tongban::part
