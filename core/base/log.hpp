// core/base/log.hpp — the process-wide log sink behind mirt_set_log_callback().
#pragma once

#include <string>

#include "core/base/status.hpp"
#include "mirt/base.h"

namespace mirt {

void log(mirt_log_level level, const char* source, const std::string& message);

template <class... Parts>
void log_info(const char* source, const Parts&... parts) { log(MIRT_LOG_LEVEL_INFO, source, cat(parts...)); }
template <class... Parts>
void log_warning(const char* source, const Parts&... parts) { log(MIRT_LOG_LEVEL_WARNING, source, cat(parts...)); }
template <class... Parts>
void log_verbose(const char* source, const Parts&... parts) { log(MIRT_LOG_LEVEL_VERBOSE, source, cat(parts...)); }

}  // namespace mirt
