// Demo data for `tongban demo`: every part's demo step (Part::LoadDemo, then FinishDemo) in list
// order — one account of every role with synthetic people and organisations (valid check digits,
// never real numbers), API keys for the department systems, sample records — and the credentials
// file the demo prints at every start.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli/app.h"
#include "core/status.h"
#include "part/demo_data.h"

namespace tongban::cli {

using part::DemoCredential;
using part::kDemoPassword;
using part::SyntheticCitizenId;
using part::SyntheticUscc;

// Runs every part's demo step unless `credentials_file` exists (then reads it back: the demo
// data is already there), and writes that file (mode 0600). Returns what to print. Idempotent
// across restarts.
Result<std::vector<DemoCredential>> LoadDemoData(App& app,
                                                 const std::filesystem::path& credentials_file);

std::string FormatCredentials(const std::vector<DemoCredential>& credentials);

}  // namespace tongban::cli
