// MyDataSections: the seam of "download my data" (PIPL arts. 44-45). Each part's adapter, at Open,
// registers the section it contributes — its name and titles, and the GET routes of its own that
// answer the caller's own data ("/api/v1/me/receipts") — through IdentityService::my_data(). The
// identity part's export job (identity/part/my_data_export.h) reads every registered route as
// the person, following next_cursor pages, so the copy holds exactly what the person may see
// through the API, with the same masking and the same ownership checks, and a part that adds a
// "me" route adds it to its section in one line. Routes not present in the program are skipped.
// Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace tongban::identity {

struct MyDataSection {
  std::string name;      // "receipts"
  std::string title_zh;  // "电子票据"
  std::string title_en;  // "Receipts"
  std::vector<std::string> routes;  // GET routes answering the caller's own data
};

class MyDataSections {
 public:
  // A section of the same name is replaced (a part opened twice in tests).
  void Add(MyDataSection section) {
    std::lock_guard lock(mu_);
    for (auto& s : sections_) {
      if (s.name == section.name) {
        s = std::move(section);
        return;
      }
    }
    sections_.push_back(std::move(section));
  }
  std::vector<MyDataSection> All() const {
    std::lock_guard lock(mu_);
    return sections_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<MyDataSection> sections_;
};

}  // namespace tongban::identity
