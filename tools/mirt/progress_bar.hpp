// tools/mirt/progress_bar.hpp — a build progress bar on stderr, fed by the builder's progress callback.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mirt::cli {

// Draws "[#####     ] phase done/total" on stderr once a build has run for more than a second,
// and only when stderr is a terminal. Pass progress_bar::callback with the object as user data.
class progress_bar {
 public:
  progress_bar();
  ~progress_bar();
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;

  void update(const char* phase, uint64_t done, uint64_t total);
  // Clears the bar's line if one was drawn.
  void finish();

  // A mirt_progress_fn; never cancels.
  static int callback(void* user_data, const char* phase, uint64_t done, uint64_t total);

  // The bar's text for a given width of the bar itself (exposed for tests).
  static std::string render(const std::string& phase, uint64_t done, uint64_t total, int bar_width);

 private:
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool enabled_ = false;
  bool drawn_ = false;
};

}  // namespace mirt::cli
