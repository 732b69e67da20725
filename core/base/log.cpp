// core/base/log.cpp — routes log lines to the user's callback or to stderr.
#include "core/base/log.hpp"

#include <cstdio>
#include <mutex>

namespace mirt {

namespace {

struct log_sink {
  std::mutex mutex;
  mirt_log_fn fn = nullptr;
  void* user_data = nullptr;
  mirt_log_level max_level = MIRT_LOG_LEVEL_WARNING;
};

log_sink& sink() {
  static log_sink s;
  return s;
}

const char* level_name(mirt_log_level level) {
  switch (level) {
    case MIRT_LOG_LEVEL_ERROR: return "error";
    case MIRT_LOG_LEVEL_WARNING: return "warning";
    case MIRT_LOG_LEVEL_INFO: return "info";
    default: return "verbose";
  }
}

}  // namespace

void log(mirt_log_level level, const char* source, const std::string& message) {
  log_sink& s = sink();
  std::lock_guard lock(s.mutex);
  if (level > s.max_level) return;
  if (s.fn) s.fn(s.user_data, level, source, message.c_str());
  else std::fprintf(stderr, "[mirt %s] %s: %s\n", level_name(level), source, message.c_str());
}

}  // namespace mirt

extern "C" MIRT_EXPORT void mirt_set_log_callback(mirt_log_fn fn, void* user_data, mirt_log_level max_level) {
  mirt::log_sink& s = mirt::sink();
  std::lock_guard lock(s.mutex);
  s.fn = fn;
  s.user_data = user_data;
  s.max_level = fn ? max_level : MIRT_LOG_LEVEL_WARNING;
}
