// Demo data; see demo_data.h.
#include "cli/demo_data.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "part/progress.h"

namespace tongban::cli {
namespace fs = std::filesystem;

std::string FormatCredentials(const std::vector<DemoCredential>& credentials) {
  std::ostringstream out;
  out << "Demo accounts (log in at POST /api/v1/auth/login; API keys go in "
         "\"Authorization: Bearer <key>\"):\n";
  for (const auto& c : credentials) {
    if (c.role == "receipt") {
      out << "Sample receipt (" << c.who << "): code/number " << c.login << ", check code "
          << c.secret << "\n  verify: GET /api/v1/receipts/verify?code=" << c.login.substr(0, 8)
          << "&number=" << c.login.substr(9) << "&check=" << c.secret << "\n";
      continue;
    }
    out << "  " << c.role << "\t" << c.who << "\tlogin: " << c.login << "\t"
        << (c.login == "-" ? "API key: " : "password: ") << c.secret << "\n";
  }
  return out.str();
}

Result<std::vector<DemoCredential>> LoadDemoData(App& app, const fs::path& credentials_file) {
  std::vector<DemoCredential> out;
  if (fs::exists(credentials_file)) {
    // Created on the first start; API keys are not recoverable from the database (only hashes
    // are stored), so the file is the demo's memory of them.
    std::ifstream in(credentials_file);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      DemoCredential c;
      if (std::getline(fields, c.role, '\t') && std::getline(fields, c.who, '\t') &&
          std::getline(fields, c.login, '\t') && std::getline(fields, c.secret, '\t')) {
        out.push_back(std::move(c));
      }
    }
    return out;
  }

  part::DemoData demo(app.identity(), app.clock());
  const auto& parts = app.parts().all();
  part::ProgressBar progress("loading demo data", static_cast<int64_t>(parts.size()));
  for (const auto& p : parts) {
    TB_RETURN_IF_ERROR(p->LoadDemo(demo));
    progress.Advance();
  }
  progress.Finish();
  for (const auto& p : parts) TB_RETURN_IF_ERROR(p->FinishDemo(demo));
  out = demo.credentials();

  mode_t old = ::umask(077);
  std::ofstream file(credentials_file, std::ios::trunc);
  for (const auto& c : out) file << c.role << '\t' << c.who << '\t' << c.login << '\t' << c.secret << '\n';
  file.close();
  ::umask(old);
  if (!file) return Status::Unavailable("cannot write " + credentials_file.string());
  return out;
}

}  // namespace tongban::cli
