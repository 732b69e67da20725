// backends/support/kernel.cpp — stable tactic ids.
#include "backends/support/kernel.hpp"

namespace mirt::support {

uint64_t tactic_id(const char* tactic_name) {
  uint64_t h = 1469598103934665603ull;
  for (const char* p = tactic_name; *p; ++p) h = (h ^ uint8_t(*p)) * 1099511628211ull;
  return h;
}

}  // namespace mirt::support
