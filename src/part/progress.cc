// Terminal progress bar drawing.
#include "part/progress.h"

#include <unistd.h>

#include <cstdio>

namespace tongban::part {

ProgressBar::ProgressBar(std::string label, int64_t total)
    : label_(std::move(label)),
      total_(total > 0 ? total : 1),
      tty_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()) {
  if (!tty_) std::fprintf(stderr, "%s: %lld items...\n", label_.c_str(), static_cast<long long>(total_));
  Draw(true);
}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Advance(int64_t n) {
  done_ += n;
  if (done_ > total_) done_ = total_;
  Draw(false);
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  done_ = total_;
  Draw(true);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (tty_) std::fputc('\n', stderr);
  else std::fprintf(stderr, "%s: done in %.2f s\n", label_.c_str(), secs);
}

void ProgressBar::Draw(bool force) {
  if (!tty_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(50)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  int filled = static_cast<int>(done_ * kWidth / total_);
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  std::fprintf(stderr, "\r%s [%s] %3lld%% (%lld/%lld)", label_.c_str(), bar.c_str(),
               static_cast<long long>(done_ * 100 / total_), static_cast<long long>(done_),
               static_cast<long long>(total_));
  std::fflush(stderr);
}

}  // namespace tongban::part
