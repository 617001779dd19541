// ProgressBar: a one-line terminal progress bar for long work (loading demo data, audits).
// Draws only when stderr is a terminal; otherwise prints a line at start and at the end.
// Not thread-safe: one owner updates it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tongban::part {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total);
  ~ProgressBar();
  void Advance(int64_t n = 1);
  void Finish();

 private:
  void Draw(bool force);
  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  bool tty_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace tongban::part
