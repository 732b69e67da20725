// core/runtime/engine.hpp — a deserialized plan with its backend and kernels; immutable, shared.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/graph/op_schema.hpp"
#include "core/plan/plan_model.hpp"
#include "core/runtime/backend.hpp"
#include "core/runtime/memory_needs.hpp"

namespace mirt {

class engine {
 public:
  // Checks and decodes plan bytes (copied), loads the backend on first use, creates the kernels.
  // device_id: the backend device its weights, kernels and contexts live on.
  static result<std::shared_ptr<const engine>> load(const void* data, size_t size, int32_t device_id = 0);
  engine() = default;
  ~engine();  // kernels are destroyed on the engine's device

  const plan_model& plan() const { return plan_; }
  const backend& target() const { return *backend_; }
  const kernel& kernel_of(size_t node) const { return *kernels_[node]; }
  // Device address of constant tensor t's data.
  const void* constant_address(int t) const { return constant_addresses_[plan_.network.tensors[t].constant]; }
  // Graph inputs, then graph outputs (tensor indices).
  const std::vector<int>& io_tensors() const { return io_; }
  int find_io(std::string_view name) const;
  // Whether input t is a shape tensor (its values are read on the host) in the plan's profiles.
  bool is_shape_tensor(int t) const;
  // Whether output t's shape depends on the data computed (unknown at profile 0's opt point).
  bool is_data_dependent(int t) const;
  // Declared types (symbolic shapes) of every tensor.
  const std::vector<tensor_type>& declared_types() const { return declared_; }
  // What a context of profile p needs (measured at load); an error when its max shapes do not infer.
  result<const profile_memory*> memory_of(uint32_t p) const;
  // The last node (in execution order) that reads a graph input; -1 when none does.
  int last_input_reader() const { return last_input_reader_; }

 private:
  std::shared_ptr<std::byte[]> bytes_;
  plan_model plan_;
  std::shared_ptr<backend> backend_;
  std::vector<std::unique_ptr<kernel>> kernels_;
  std::shared_ptr<void> device_weights_;
  std::vector<const void*> constant_addresses_;
  std::vector<int> io_;
  std::vector<tensor_type> declared_;
  std::vector<profile_memory> memory_;
  std::vector<status> memory_errors_;
  int last_input_reader_ = -1;
  std::vector<int> data_dependent_;  // outputs
};

}  // namespace mirt
