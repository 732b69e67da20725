// tools/mirt/progress_bar.cpp — draws the build progress bar on a terminal's stderr.
#include "progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace mirt::cli {

namespace {
constexpr auto show_after = std::chrono::seconds(1);
constexpr auto redraw_every = std::chrono::milliseconds(100);
constexpr int bar_width = 30;
}  // namespace

progress_bar::progress_bar() : start_(std::chrono::steady_clock::now()), enabled_(isatty(STDERR_FILENO) != 0) {}

progress_bar::~progress_bar() { finish(); }

std::string progress_bar::render(const std::string& phase, uint64_t done, uint64_t total, int width) {
  std::string text = "[";
  if (total > 0) {
    const uint64_t clamped = std::min(done, total);
    const int filled = static_cast<int>(clamped * static_cast<uint64_t>(width) / total);
    text += std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), ' ');
    text += "] " + std::to_string(clamped * 100 / total) + "% " + phase + " " + std::to_string(done) + "/" +
            std::to_string(total);
  } else {
    text += std::string(static_cast<size_t>(width), '.') + "] " + phase + " " + std::to_string(done);
  }
  return text;
}

void progress_bar::update(const char* phase, uint64_t done, uint64_t total) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < show_after) return;
  const bool last = total > 0 && done >= total;
  if (drawn_ && !last && now - last_draw_ < redraw_every) return;
  last_draw_ = now;
  std::string line = render(phase != nullptr ? phase : "", done, total, bar_width);
  if (line.size() > 100) line.resize(100);
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void progress_bar::finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

int progress_bar::callback(void* user_data, const char* phase, uint64_t done, uint64_t total) {
  static_cast<progress_bar*>(user_data)->update(phase, done, total);
  return 0;
}

}  // namespace mirt::cli
