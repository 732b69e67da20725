// tools/mirt/constant_folding.hpp — `mirt fold`'s work on the ONNX model itself (Polygraphy's
// `surgeon sanitize --fold-constants`): which nodes compute only from constants, a model that
// computes what the rest of the graph reads of them, and the model with those nodes replaced by
// initializers holding the values.
#pragma once

#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace mirt::cli {

struct fold_plan {
  std::vector<bool> folded;            // per node of the graph: computed at fold time
  std::vector<std::string> boundary;   // values of folded nodes that the rest of the graph (or an output) reads
  std::vector<onnx::TensorProto> shapes;  // Shape/Size of statically shaped values, known without running
  int foldable = 0;                       // nodes folded
};

// Finds the nodes to fold: standard-domain nodes all of whose inputs are initializers (not graph
// inputs), Constant outputs or outputs of nodes folded before, and Shape/Size of a value whose shape
// ONNX shape inference fixes. Random ops and nodes with subgraphs are never folded. Throws
// std::runtime_error naming the initializer when one keeps its data in an external file.
fold_plan plan_folding(onnx::ModelProto& model);

// A model with no inputs whose outputs are plan.boundary, computed by the folded nodes.
onnx::ModelProto evaluation_model(const onnx::ModelProto& model, const fold_plan& plan);

// The model with the folded nodes removed and `values` (one per boundary name, in order) as
// initializers; a graph output that was folded is kept as an Identity of its value. Initializers
// nothing reads any more are dropped.
void replace_folded(onnx::ModelProto& model, const fold_plan& plan, std::vector<onnx::TensorProto> values);

}  // namespace mirt::cli
