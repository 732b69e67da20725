// backends/cpu/onednn.hpp — the process-wide oneDNN engine, per-call scratch and shape-keyed caches.
#pragma once

#include <array>
#include <atomic>
#include <dnnl.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "backends/cpu/tensor.hpp"

namespace mirt::cpu {

// One CPU engine for the process (engines are thread-safe to share).
const dnnl::engine& onednn_engine();

// A stream of the calling thread on that engine, created once per thread (streams are not
// thread-safe; the cpu backend is synchronous, so one per thread is enough).
dnnl::stream& onednn_stream();

// Bytes to reserve in a workspace for a piece of `bytes`, 64-byte aligned.
inline size_t scratch_round(size_t bytes) { return (bytes + 63) / 64 * 64; }
// Bytes of workspace for a primitive's scratchpad (0 when it needs none).
size_t scratchpad_bytes(const dnnl::primitive_desc_base& pd);

// Hands out 64-byte aligned pieces of the call's workspace. When the workspace is missing or
// smaller than `total` (a caller that sized none, or a shape beyond the one it was sized for), it
// uses a buffer of the calling thread instead, grown as needed and kept for the thread's life.
// `total` is the sum of scratch_round() of the pieces; take() never returns more than that.
class scratch {
 public:
  scratch(const exec_args& args, size_t total);
  void* take(size_t bytes);

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0, used_ = 0;
};

// Runs a primitive on the thread's stream and waits. The scratchpad (attrs use user scratchpad
// mode) comes from `ws`, so concurrent executions of one primitive never share scratch.
void onednn_execute(const dnnl::primitive& prim, const dnnl::primitive_desc_base& pd, scratch& ws,
                    std::unordered_map<int, dnnl::memory> args);

// A memory desc for a dense row-major fp32 tensor.
dnnl::memory::desc plain_desc(const dims& shape);

// A memory desc for a 4-D fp32 tensor of logical shape [N, C, H, W] held channels-last (NHWC).
dnnl::memory::desc nhwc_desc(const dims& shape);

// Attributes every mirt primitive starts from.
dnnl::primitive_attr base_attr();

// Turns a oneDNN failure into a backend error naming what was being done.
[[noreturn]] void onednn_fail(const dnnl::error& e, const char* doing);

// A fixed-capacity key of several shapes (each as rank then dims), built without allocating.
struct shape_key {
  std::array<int64_t, 4 * (MIRT_MAX_RANK + 1)> v{};
  size_t n = 0;
  shape_key& add(const dims& d) {
    if (n + d.size() + 1 > v.size()) fail(MIRT_STATUS_INTERNAL, "shape key too long");
    v[n++] = int64_t(d.size());
    for (int64_t x : d) v[n++] = x;
    return *this;
  }
  shape_key& add(int64_t x) {
    if (n + 1 > v.size()) fail(MIRT_STATUS_INTERNAL, "shape key too long");
    v[n++] = x;
    return *this;
  }
};

// Prepared entries per concrete shape. Entries live as long as the cache; the most recent hit is
// checked first without a lock, so a kernel run at one shape never locks or allocates.
template <class Entry>
class shape_cache {
 public:
  template <class Build>
  const Entry& get(const shape_key& key, Build&& build) const {
    const node* last = last_.load(std::memory_order_acquire);
    if (last != nullptr && same(last->first, key)) return *last->second;
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<int64_t> k(key.v.begin(), key.v.begin() + long(key.n));
    auto it = map_.find(k);
    if (it == map_.end()) it = map_.emplace(std::move(k), build()).first;
    last_.store(&*it, std::memory_order_release);
    return *it->second;
  }

 private:
  using node = std::pair<const std::vector<int64_t>, std::unique_ptr<Entry>>;
  static bool same(const std::vector<int64_t>& a, const shape_key& k) {
    if (a.size() != k.n) return false;
    for (size_t i = 0; i < k.n; ++i)
      if (a[i] != k.v[i]) return false;
    return true;
  }
  mutable std::mutex mutex_;
  mutable std::map<std::vector<int64_t>, std::unique_ptr<Entry>> map_;
  mutable std::atomic<const node*> last_{nullptr};
};

}  // namespace mirt::cpu
