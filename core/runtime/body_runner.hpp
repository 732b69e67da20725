// core/runtime/body_runner.hpp — runs one body of a control-flow layer (a nested plan) once, at
// the concrete shapes of its inputs: infer, allocate, run each layer's kernel, hand back outputs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/runtime/engine.hpp"

namespace mirt {

// A tensor at run time: its desc and data in the backend's memory, and what keeps the data alive
// (empty for memory the caller owns).
struct run_value {
  mirt_tensor_desc desc{};
  const void* data = nullptr;
  std::shared_ptr<const void> keep;
};

class body_runner {
 public:
  // where: "Loop 'x': body", for messages.
  body_runner(std::shared_ptr<const engine> body, std::string where)
      : body_(std::move(body)), where_(std::move(where)) {}

  const graph& network() const { return body_->plan().network; }
  const std::string& where() const { return where_; }

  // Runs the body on inputs (one per body input: formal, then outer-scope values); returns one
  // value per body output. Outputs stay valid while their `keep` lives.
  result<std::vector<run_value>> run(const std::vector<run_value>& inputs, void* stream) const;

 private:
  std::shared_ptr<const engine> body_;
  std::string where_;
};

// Reads bytes of backend memory into host memory (waiting for the stream when it is device memory).
status read_to_host(const backend& b, const void* src, size_t bytes, void* stream, void* dst);
// Writes host bytes into backend memory (waiting for the copy when it is device memory).
status write_from_host(const backend& b, void* dst, const void* src, size_t bytes, void* stream);

}  // namespace mirt
