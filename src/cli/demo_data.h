// Demo data for `tongban demo`: one account of every role with synthetic people and
// organisations (valid check digits, never real numbers), API keys for the department systems,
// and the credentials file the demo prints at every start.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli/app.h"
#include "core/status.h"

namespace tongban::cli {

// The password of every demo account (listed in the README).
inline constexpr const char* kDemoPassword = "tongban-demo";

struct DemoCredential {
  std::string role;
  std::string who;       // display name
  std::string login;     // login name, or "-" for API-key-only accounts
  std::string secret;    // the password or the API key
};

// Creates the demo accounts and keys unless the database already has them, and writes
// `credentials_file` (mode 0600). Returns what to print. Idempotent across restarts.
Result<std::vector<DemoCredential>> LoadDemoData(App& app,
                                                 const std::filesystem::path& credentials_file);

std::string FormatCredentials(const std::vector<DemoCredential>& credentials);

// A synthetic citizen ID number with a valid check digit: region + birth date + sequence.
std::string SyntheticCitizenId(std::string_view region6, std::string_view birth8,
                               std::string_view seq3);
// A synthetic USCC with valid organisation-code and final check characters.
std::string SyntheticUscc(std::string_view prefix2, std::string_view region6,
                          std::string_view org_body8);

}  // namespace tongban::cli
