// mirt/base.hpp — the foundation of the C++ API (mirt/mirt.hpp): mirt::error and check(), string
// conversions, version and dtype helpers, and the move-only owner of C handles. Header-only; adds no
// behaviour to the C ABI. Needs C++17.
#ifndef MIRT_BASE_HPP
#define MIRT_BASE_HPP

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mirt/mirt.h"

namespace mirt {

// ---- Errors --------------------------------------------------------------------------------------

// The one exception type of the C++ API: the code and message of a failed mirt_status.
class error : public std::runtime_error {
 public:
  error(mirt_status_code code, const std::string& message) : std::runtime_error(message), code_(code) {}
  mirt_status_code code() const noexcept { return code_; }
  // The code's name, e.g. "INVALID_SHAPE".
  const char* code_name() const noexcept { return mirt_status_code_name(code_); }

 private:
  mirt_status_code code_;
};

// Takes ownership of status: does nothing for NULL (success), else destroys it and throws mirt::error.
inline void check(mirt_status status) {
  if (status == nullptr) return;
  const mirt_status_code code = mirt_status_get_code(status);
  std::string message = mirt_status_get_message(status);
  mirt_status_destroy(status);
  throw error(code, message);
}

// ---- Strings, versions, dtypes -------------------------------------------------------------------

using dims = std::vector<int64_t>;

inline mirt_string_view to_c(std::string_view s) noexcept { return mirt_string_view{s.data(), s.size()}; }
inline std::string_view to_cpp(mirt_string_view s) noexcept {
  return s.data != nullptr ? std::string_view(s.data, s.length) : std::string_view();
}

namespace detail {
// Copies a string that mirt returned through a char** and frees it with mirt_string_free().
inline std::string take_string(char* s) {
  std::string copy = s != nullptr ? std::string(s) : std::string();
  mirt_string_free(s);
  return copy;
}
}  // namespace detail

inline std::string version() { return mirt_version(); }
inline uint32_t abi_version() { return mirt_abi_version(); }
inline size_t dtype_size(mirt_dtype dtype) { return mirt_dtype_size(dtype); }
inline const char* dtype_name(mirt_dtype dtype) { return mirt_dtype_name(dtype); }
inline const char* module_kind_name(mirt_module_kind kind) { return mirt_module_kind_name(kind); }
// Routes log lines to fn (see mirt_set_log_callback); fn must not throw.
inline void set_log_callback(mirt_log_fn fn, void* user_data, mirt_log_level max_level) {
  mirt_set_log_callback(fn, user_data, max_level);
}

// ---- Owners --------------------------------------------------------------------------------------

namespace detail {
// A move-only owner of a C handle that calls Destroy on it when it goes.
template <typename T, void (*Destroy)(T*)>
class handle {
 public:
  handle() noexcept = default;
  explicit handle(T* owned) noexcept : ptr_(owned) {}
  handle(const handle&) = delete;
  handle& operator=(const handle&) = delete;
  handle(handle&& other) noexcept : ptr_(other.release()) {}
  handle& operator=(handle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~handle() { reset(); }

  T* get() const noexcept { return ptr_; }
  explicit operator bool() const noexcept { return ptr_ != nullptr; }
  // Gives up ownership; the caller must destroy the handle.
  T* release() noexcept { return std::exchange(ptr_, nullptr); }
  void reset(T* owned = nullptr) noexcept {
    if (ptr_ != nullptr) Destroy(ptr_);
    ptr_ = owned;
  }

 private:
  T* ptr_ = nullptr;
};
}  // namespace detail

}  // namespace mirt

#endif  // MIRT_BASE_HPP
