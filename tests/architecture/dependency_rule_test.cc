// The dependency rule: the table in src/CMakeLists.txt (which part may use which) checked against
// every #include in src/, each break named by file and line.
//
// The build already refuses an include of a part a library may not use (its include path does not
// reach it; cmake/parts.cmake). This test says where, in one line, and covers what include paths
// cannot: a relative include that climbs out of the part ("../api/router.h"), a part's internal
// headers (store/drivers.h), the database drivers (store's alone), core's standard-library-only
// rule and HTTP (Boost.Beast/Asio) outside api. It reads the table CMake wrote at configure time
// (TONGBAN_DEPENDENCY_RULE), so it and the build never disagree.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

// The table: parts in table order (lower parts first), what each uses directly, internal headers.
struct Rule {
  std::vector<std::string> parts;
  std::map<std::string, std::vector<std::string>> uses;
  std::map<std::string, std::set<std::string>> internal;  // part -> "drivers.h"

  bool IsPart(const std::string& p) const { return uses.count(p) > 0; }

  // What `part` may use: what it names and all they may use, nearest first (the table read upwards).
  std::vector<std::string> MayUse(const std::string& part) const {
    std::set<std::string> seen;
    std::vector<std::string> stack = uses.at(part);
    while (!stack.empty()) {
      std::string p = stack.back();
      stack.pop_back();
      if (!seen.insert(p).second) continue;
      for (const auto& q : uses.at(p)) stack.push_back(q);
    }
    std::vector<std::string> out;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      if (seen.count(*it) > 0) out.push_back(*it);
    }
    return out;
  }
};

// Parses dependency_rule.txt ("uses <part> <dep>...", "internal <part> <header>..."). Every part a
// line names must be declared on an earlier line, as cmake/parts.cmake requires.
Rule ReadRule(const std::string& text) {
  Rule rule;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string kind, part, word;
    words >> kind >> part;
    std::vector<std::string> rest;
    while (words >> word) rest.push_back(word);
    if (kind == "uses") {
      for (const auto& dep : rest) {
        EXPECT_TRUE(rule.IsPart(dep)) << part << " uses " << dep << ", which is not declared above it";
      }
      rule.parts.push_back(part);
      rule.uses[part] = rest;
    } else if (kind == "internal") {
      EXPECT_TRUE(rule.IsPart(part)) << line;
      rule.internal[part].insert(rest.begin(), rest.end());
    } else {
      ADD_FAILURE() << "unreadable line in the dependency rule: " << line;
    }
  }
  return rule;
}

Rule ReadRuleFile() {
  std::ifstream in(TONGBAN_DEPENDENCY_RULE);
  EXPECT_TRUE(in.good()) << "cannot read " << TONGBAN_DEPENDENCY_RULE << " (written by CMake)";
  std::stringstream text;
  text << in.rdbuf();
  return ReadRule(text.str());
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// The break, if any, of one include in src/<part>/...: `where` is "src/receipt/x.cc:12".
std::string CheckInclude(const Rule& rule, const std::string& part, const std::string& where,
                         bool quoted, const std::string& header) {
  const std::string prefix = where + " includes " + header + ": ";
  if (!quoted) {
    const bool driver = header.find("sqlite") != std::string::npos ||
                        header.find("libpq") != std::string::npos ||
                        header.find("postgres") != std::string::npos;
    if (driver && part != "store") return prefix + "the database drivers are private to store";
    if (part == "core" && header.find_first_of("./") != std::string::npos) {
      return prefix + "core includes only the C++ standard library";
    }
    const bool http = header.rfind("boost/beast", 0) == 0 || header.rfind("boost/asio", 0) == 0;
    if (http && part != "api") return prefix + "only api speaks HTTP (Boost.Beast, Asio)";
    return "";
  }
  const auto slash = header.find('/');
  if (slash == std::string::npos || slash == 0 || header.find("..") != std::string::npos) {
    return prefix + "a quoted include names its part, as \"<part>/<file>\", and never climbs out";
  }
  std::string other = header.substr(0, slash);
  // "receipt/part/x.h" is the receipt part's adapter, a rule entry of its own.
  if (header.compare(slash, 6, "/part/") == 0 && rule.IsPart(other + "/part")) other += "/part";
  if (!rule.IsPart(other)) return prefix + other + " is not a part in src/CMakeLists.txt";
  if (other == part) return "";
  const auto may_use = rule.MayUse(part);
  if (std::find(may_use.begin(), may_use.end(), other) == may_use.end()) {
    return prefix + part + " may use " + (may_use.empty() ? "no other part" : Join(may_use));
  }
  const auto internal = rule.internal.find(other);
  if (internal != rule.internal.end() && internal->second.count(header.substr(other.size() + 1)) > 0) {
    return prefix + "internal to " + other;
  }
  return "";
}

struct Scan {
  int files = 0;
  int includes = 0;
  std::vector<std::string> breaks;
};

// Every .h, .cc and .inc file under <root>/src, each attributed to its top folder (its part), or
// to the part's adapter when it is under src/<part>/part/.
Scan ScanTree(const Rule& rule, const fs::path& root) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  Scan scan;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root / "src")) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".h" || ext == ".cc" || ext == ".inc")) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const fs::path relative = fs::relative(file, root);  // src/<part>/...
    std::string part = std::next(relative.begin())->string();
    if (auto second = std::next(relative.begin(), 2);
        second != relative.end() && std::next(second) != relative.end() && second->string() == "part") {
      part += "/part";
    }
    ++scan.files;
    if (!rule.IsPart(part)) {
      scan.breaks.push_back(relative.string() + ": " + part + " is not a part in src/CMakeLists.txt");
      continue;
    }
    std::ifstream in(file);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      std::smatch m;
      if (!std::regex_search(line, m, kInclude)) continue;
      ++scan.includes;
      const std::string where = relative.string() + ":" + std::to_string(number);
      const std::string broken = CheckInclude(rule, part, where, m[1] == "\"", m[2]);
      if (!broken.empty()) scan.breaks.push_back(broken);
    }
  }
  return scan;
}

fs::path SourceDir() {
  const char* root = std::getenv("TONGBAN_SOURCE_DIR");
  EXPECT_NE(root, nullptr) << "run through ctest, which sets TONGBAN_SOURCE_DIR";
  return root == nullptr ? fs::path(".") : fs::path(root);
}

TEST(DependencyRule, EveryIncludeInSrcFollowsTheTable) {
  const Rule rule = ReadRuleFile();
  const Scan scan = ScanTree(rule, SourceDir());
  for (const auto& broken : scan.breaks) ADD_FAILURE() << broken;
  // Guards against a vacuous pass (wrong folder, a regex that matches nothing).
  EXPECT_GT(scan.files, 100);
  EXPECT_GT(scan.includes, 500);
}

TEST(DependencyRule, EveryFolderUnderSrcIsInTheTable) {
  const Rule rule = ReadRuleFile();
  std::set<std::string> folders;
  for (const auto& entry : fs::directory_iterator(SourceDir() / "src")) {
    if (!entry.is_directory()) continue;
    folders.insert(entry.path().filename().string());
    if (fs::is_directory(entry.path() / "part")) folders.insert(entry.path().filename().string() + "/part");
  }
  EXPECT_EQ(folders, std::set<std::string>(rule.parts.begin(), rule.parts.end()));
}

// Only the seam (`part`), the parts' adapters and cli speak HTTP; a domain part never does.
TEST(DependencyRule, NoDomainPartMayUseApi) {
  const Rule rule = ReadRuleFile();
  ASSERT_TRUE(rule.IsPart("api"));
  for (const auto& part : rule.parts) {
    const auto may_use = rule.MayUse(part);
    const bool uses_api = std::find(may_use.begin(), may_use.end(), "api") != may_use.end();
    const bool adapter = part.size() > 5 && part.ends_with("/part");
    EXPECT_EQ(uses_api, part == "cli" || part == "part" || adapter) << part;
  }
  EXPECT_EQ(Join(rule.MayUse("receipt")), "ledger, notify, qr, store, crypto, core");
  // An adapter reaches its part, the seam and the adapters of the parts its part uses.
  const auto receipt_adapter = rule.MayUse("receipt/part");
  for (const char* p : {"receipt", "part", "api", "ledger/part", "ledger"}) {
    EXPECT_NE(std::find(receipt_adapter.begin(), receipt_adapter.end(), p), receipt_adapter.end()) << p;
  }
  EXPECT_EQ(std::find(receipt_adapter.begin(), receipt_adapter.end(), "license"), receipt_adapter.end());
  EXPECT_EQ(Join(rule.MayUse("core")), "");
}

// The checker itself, on a small tree with one break of each kind.
TEST(DependencyRule, ABreakIsNamedByFileAndLine) {
  const Rule rule = ReadRuleFile();
  const fs::path root = fs::temp_directory_path() / ("dependency_rule_test_" + std::to_string(::getpid()));
  fs::remove_all(root);
  const auto write = [&](const std::string& path, const std::string& text) {
    fs::create_directories((root / path).parent_path());
    std::ofstream(root / path) << text;
  };
  std::string receipt;
  for (int i = 1; i < 12; ++i) receipt += "// line\n";
  receipt += "#include \"api/router.h\"\n";       // line 12
  receipt += "#include \"ledger/entry.h\"\n";     // allowed
  receipt += "#include \"../api/server.h\"\n";    // climbs out
  receipt += "#include \"store/drivers.h\"\n";    // internal to store
  receipt += "  #  include <sqlite3.h>\n";        // a driver
  receipt += "#include <boost/beast/http.hpp>\n";  // HTTP
  write("src/receipt/x.cc", receipt);
  write("src/core/y.h", "#include <vector>\n#include <openssl/evp.h>\n#include \"crypto/hash.h\"\n");
  write("src/store/z.cc", "#include <sqlite3.h>\n#include \"store/drivers.h\"\n");

  const Scan scan = ScanTree(rule, root);
  fs::remove_all(root);
  EXPECT_EQ(scan.files, 3);
  EXPECT_EQ(scan.breaks, (std::vector<std::string>{
                             "src/core/y.h:2 includes openssl/evp.h: core includes only the C++ standard library",
                             "src/core/y.h:3 includes crypto/hash.h: core may use no other part",
                             "src/receipt/x.cc:12 includes api/router.h: receipt may use ledger, notify, qr, store, crypto, core",
                             "src/receipt/x.cc:14 includes ../api/server.h: a quoted include names its part, as "
                             "\"<part>/<file>\", and never climbs out",
                             "src/receipt/x.cc:15 includes store/drivers.h: internal to store",
                             "src/receipt/x.cc:16 includes sqlite3.h: the database drivers are private to store",
                             "src/receipt/x.cc:17 includes boost/beast/http.hpp: only api speaks HTTP (Boost.Beast, Asio)",
                         }));
}

}  // namespace
