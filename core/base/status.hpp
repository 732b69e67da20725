// core/base/status.hpp — mirt::status and mirt::result<T>, the error currency inside mirt.
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <utility>

#include "mirt/base.h"

namespace mirt {

// Concatenates any streamable values: cat("layer '", name, "': rank ", r).
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

// A code and a message naming the culprit. Default-constructed is OK.
class [[nodiscard]] status {
 public:
  status() = default;
  status(mirt_status_code code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == MIRT_STATUS_OK; }
  mirt_status_code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes context as the error propagates: "while building plan: <message>".
  status with_context(const std::string& context) const {
    return ok() ? *this : status(code_, context + ": " + message_);
  }

 private:
  mirt_status_code code_ = MIRT_STATUS_OK;
  std::string message_;
};

inline status ok_status() { return {}; }

template <class... Parts>
status make_error(mirt_status_code code, const Parts&... parts) {
  return status(code, cat(parts...));
}

// A value or a failure.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  result(status error) : status_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const status& error() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  status status_;
  std::optional<T> value_;
};

}  // namespace mirt

// Returns the failure of expr (a mirt::status), prefixed with a formatted context when given.
#define MIRT_RETURN_IF_ERROR(expr, ...)                                          \
  do {                                                                          \
    ::mirt::status mirt_status_tmp_ = (expr);                                   \
    if (!mirt_status_tmp_.ok()) {                                               \
      return mirt_status_tmp_ __VA_OPT__(.with_context(::mirt::cat(__VA_ARGS__))); \
    }                                                                           \
  } while (0)

#define MIRT_CONCAT_INNER_(a, b) a##b
#define MIRT_CONCAT_(a, b) MIRT_CONCAT_INNER_(a, b)

// Declares `lhs` from a mirt::result expression, or returns its failure.
#define MIRT_ASSIGN_OR_RETURN(lhs, expr)                       \
  auto MIRT_CONCAT_(mirt_result_, __LINE__) = (expr);          \
  if (!MIRT_CONCAT_(mirt_result_, __LINE__).ok())              \
    return MIRT_CONCAT_(mirt_result_, __LINE__).error();       \
  lhs = std::move(MIRT_CONCAT_(mirt_result_, __LINE__)).value()
