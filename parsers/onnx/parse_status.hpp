// parsers/onnx/parse_status.hpp — the parser's error currency: a code and a message, or a host status.
#pragma once

#include <sstream>
#include <string>
#include <utility>

#include "mirt/base.h"

namespace mirt::onnx {

// Concatenates any streamable values: cat("node '", name, "': input ", i).
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

// OK, a failure found by the parser (code + message), or a failure the host returned (passed on
// untouched: the host API offers no way to read or free a mirt_status, so the parser cannot add
// context to it; the core's own messages name the layer). Move-only, so a host status has one owner.
class [[nodiscard]] status {
 public:
  status() = default;
  status(mirt_status_code code, std::string message) : code_(code), message_(std::move(message)) {}
  static status from_host(mirt_status host_status) {
    status s;
    s.host_ = host_status;
    if (host_status) s.code_ = MIRT_STATUS_INTERNAL;  // real code is inside host_status
    return s;
  }
  status(status&& other) noexcept { *this = std::move(other); }
  status& operator=(status&& other) noexcept {
    code_ = other.code_;
    message_ = std::move(other.message_);
    host_ = other.host_;
    other.code_ = MIRT_STATUS_OK;
    other.host_ = nullptr;
    return *this;
  }
  status(const status&) = delete;
  status& operator=(const status&) = delete;

  bool ok() const { return code_ == MIRT_STATUS_OK; }
  mirt_status_code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The host's status when the failure came from a host call, else NULL. Ownership moves to the caller.
  mirt_status release_host_status() {
    mirt_status s = host_;
    host_ = nullptr;
    return s;
  }
  bool from_host() const { return host_ != nullptr; }

  // Prefixes context to a parser failure ("node 'x' (Split, opset 11): <message>"); host failures
  // are left as they are.
  status with_context(const std::string& context) && {
    if (!ok() && !host_) message_ = context + ": " + message_;
    return std::move(*this);
  }

 private:
  mirt_status_code code_ = MIRT_STATUS_OK;
  std::string message_;
  mirt_status host_ = nullptr;
};

template <class... Parts>
status make_error(mirt_status_code code, const Parts&... parts) {
  return status(code, cat(parts...));
}

}  // namespace mirt::onnx

// Returns the failure of expr (a mirt::onnx::status), prefixed with a formatted context when given.
#define MIRT_ONNX_RETURN_IF_ERROR(expr, ...)                                                         \
  do {                                                                                               \
    ::mirt::onnx::status mirt_onnx_status_ = (expr);                                                 \
    if (!mirt_onnx_status_.ok())                                                                     \
      return __VA_OPT__(std::move)(mirt_onnx_status_)                                              \
          __VA_OPT__(.with_context(::mirt::onnx::cat(__VA_ARGS__)));                                 \
  } while (0)

// Wraps a call through mirt_host_api: a non-NULL status is returned as it is.
#define MIRT_ONNX_RETURN_IF_HOST_ERROR(call)                                      \
  do {                                                                            \
    mirt_status mirt_onnx_host_status_ = (call);                                  \
    if (mirt_onnx_host_status_) return ::mirt::onnx::status::from_host(mirt_onnx_host_status_); \
  } while (0)
