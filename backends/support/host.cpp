// backends/support/host.cpp — keeps the host api and makes statuses through it.
#include "backends/support/host.hpp"

#include <atomic>

namespace mirt::support {

namespace {
std::atomic<const mirt_host_api*> g_host{nullptr};
}

const mirt_host_api* host_api() { return g_host.load(std::memory_order_acquire); }
void set_host_api(const mirt_host_api* host) { g_host.store(host, std::memory_order_release); }

mirt_status make_status(mirt_status_code code, const std::string& message) {
  const mirt_host_api* host = host_api();
  if (host == nullptr || host->status_create == nullptr) return nullptr;
  return host->status_create(code, mirt_string_view{message.data(), message.size()});
}

}  // namespace mirt::support
