// core/abi/handles.hpp — what the C ABI's opaque handles hold.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/builder/build_options.hpp"
#include "core/graph/graph.hpp"
#include "core/graph/op_schema.hpp"
#include "core/runtime/context.hpp"
#include "core/runtime/engine.hpp"
#include "mirt/mirt.h"

struct mirt_tensor {
  mirt_network* network;
  int index;
};

struct mirt_network {
  mirt::graph graph;
  std::deque<mirt_tensor> handles;  // handles[i] stands for graph.tensors[i]; a deque keeps them put
  // A control-flow body (mirt_network_create_body): its parent, and the outer-scope values its
  // layers read (tensor indices of graph inputs that are not formal inputs), in first-use order.
  mirt_network* parent = nullptr;
  std::vector<int> captures;
  // What mirt_network_infer_types found, indexed like graph.tensors (tensors added later have none).
  std::vector<mirt::tensor_type> inferred;

  mirt_tensor* handle_of(int index);
};

struct mirt_builder_config {
  mirt::build_options options;
};

struct mirt_plan {
  std::vector<std::byte> bytes;
};

struct mirt_engine {
  std::shared_ptr<const mirt::engine> engine;
};

struct mirt_context {
  std::unique_ptr<mirt::context> context;
};
