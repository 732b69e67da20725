// tools/mirt/constant_folding.cpp — see constant_folding.hpp.
#include "constant_folding.hpp"

#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace mirt::cli {

namespace {

// Ops whose every run draws again: never replaced by one draw.
const std::set<std::string> k_random = {"RandomUniform", "RandomNormal", "RandomUniformLike", "RandomNormalLike", "Bernoulli",
                                        "Multinomial"};

bool has_subgraph(const onnx::NodeProto& n) {
  for (const onnx::AttributeProto& a : n.attribute())
    if (a.has_g() || a.graphs_size() > 0) return true;
  return false;
}

int64_t int_attribute(const onnx::NodeProto& n, const char* name, int64_t fallback) {
  for (const onnx::AttributeProto& a : n.attribute())
    if (a.name() == name) return a.i();
  return fallback;
}

// The fixed dims of a value, from the graph's inputs, value_info and outputs (after shape
// inference); empty when any dim is unknown or the value is not described.
std::unordered_map<std::string, std::vector<int64_t>> static_shapes(const onnx::GraphProto& g) {
  std::unordered_map<std::string, std::vector<int64_t>> out;
  auto add = [&](const onnx::ValueInfoProto& v) {
    if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
    std::vector<int64_t> dims;
    for (const onnx::TensorShapeProto::Dimension& d : v.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value()) return;
      dims.push_back(d.dim_value());
    }
    out[v.name()] = dims;
  };
  for (const auto& v : g.input()) add(v);
  for (const auto& v : g.value_info()) add(v);
  for (const auto& v : g.output()) add(v);
  return out;
}

// Shape (with start/end) or Size of dims, as an int64 initializer named `name`.
onnx::TensorProto shape_value(const onnx::NodeProto& n, const std::vector<int64_t>& dims) {
  onnx::TensorProto t;
  t.set_name(n.output(0));
  t.set_data_type(onnx::TensorProto::INT64);
  if (n.op_type() == "Size") {
    int64_t count = 1;
    for (int64_t d : dims) count *= d;
    t.add_int64_data(count);
    return t;
  }
  const int64_t rank = int64_t(dims.size());
  auto clamp = [rank](int64_t i) { return i < 0 ? std::max<int64_t>(0, i + rank) : std::min(i, rank); };
  const int64_t start = clamp(int_attribute(n, "start", 0)), end = clamp(int_attribute(n, "end", rank));
  t.add_dims(std::max<int64_t>(0, end - start));
  for (int64_t i = start; i < end; ++i) t.add_int64_data(dims[size_t(i)]);
  return t;
}

}  // namespace

fold_plan plan_folding(onnx::ModelProto& model) {
  try {
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), onnx::ShapeInferenceOptions(false, 0, true));
  } catch (const std::exception&) {
    // Shapes stay as the model declares them; Shape nodes then fold only where it fixes them.
  }
  onnx::GraphProto& g = *model.mutable_graph();
  std::unordered_set<std::string> graph_inputs, constant;
  for (const auto& v : g.input()) graph_inputs.insert(v.name());
  for (const onnx::TensorProto& t : g.initializer()) {
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
      throw std::runtime_error("initializer '" + t.name() + "' keeps its data in an external file; mirt fold reads models "
                               "whose weights are inside the .onnx file");
    if (!graph_inputs.count(t.name())) constant.insert(t.name());  // an initializer listed as input may be overridden
  }
  const auto shapes = static_shapes(g);
  fold_plan plan;
  plan.folded.assign(size_t(g.node_size()), false);
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    if (!(n.domain().empty() || n.domain() == "ai.onnx") || k_random.count(n.op_type()) || has_subgraph(n)) continue;
    bool all_constant = true;
    for (const std::string& in : n.input()) all_constant = all_constant && (in.empty() || constant.count(in));
    const bool shape_of_static = (n.op_type() == "Shape" || n.op_type() == "Size") && n.input_size() == 1 &&
                                 shapes.count(n.input(0)) && !constant.count(n.input(0));
    if (!all_constant && !shape_of_static) continue;
    if (shape_of_static) plan.shapes.push_back(shape_value(n, shapes.at(n.input(0))));
    plan.folded[size_t(i)] = true;
    ++plan.foldable;
    for (const std::string& out : n.output())
      if (!out.empty()) constant.insert(out);
  }
  // What the remaining nodes and the graph's outputs read of the folded values.
  std::unordered_set<std::string> produced, needed;
  for (int i = 0; i < g.node_size(); ++i)
    for (const std::string& out : g.node(i).output())
      if (plan.folded[size_t(i)]) produced.insert(out);
  for (int i = 0; i < g.node_size(); ++i)
    if (!plan.folded[size_t(i)])
      for (const std::string& in : g.node(i).input()) needed.insert(in);
  for (const auto& v : g.output()) needed.insert(v.name());
  std::unordered_set<std::string> listed;
  for (int i = 0; i < g.node_size(); ++i)
    for (const std::string& out : g.node(i).output())
      if (plan.folded[size_t(i)] && needed.count(out) && listed.insert(out).second) plan.boundary.push_back(out);
  return plan;
}

onnx::ModelProto evaluation_model(const onnx::ModelProto& model, const fold_plan& plan) {
  onnx::ModelProto eval;
  eval.set_ir_version(model.ir_version());
  *eval.mutable_opset_import() = model.opset_import();
  onnx::GraphProto& g = *eval.mutable_graph();
  g.set_name(model.graph().name() + "_constants");
  std::unordered_set<std::string> shape_outputs;
  for (const onnx::TensorProto& t : plan.shapes) {
    *g.add_initializer() = t;
    shape_outputs.insert(t.name());
  }
  std::unordered_set<std::string> read;
  for (int i = 0; i < model.graph().node_size(); ++i) {
    const onnx::NodeProto& n = model.graph().node(i);
    if (!plan.folded[size_t(i)] || shape_outputs.count(n.output(0))) continue;
    *g.add_node() = n;
    for (const std::string& in : n.input()) read.insert(in);
  }
  for (const onnx::TensorProto& t : model.graph().initializer())
    if (read.count(t.name())) *g.add_initializer() = t;
  for (const std::string& name : plan.boundary) g.add_output()->set_name(name);
  return eval;
}

void replace_folded(onnx::ModelProto& model, const fold_plan& plan, std::vector<onnx::TensorProto> values) {
  onnx::GraphProto& g = *model.mutable_graph();
  std::unordered_set<std::string> outputs;
  for (const auto& v : g.output()) outputs.insert(v.name());
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (int i = 0; i < g.node_size(); ++i)
    if (!plan.folded[size_t(i)]) *kept.Add() = g.node(i);
  // A graph output must come from a node: a folded one goes out through an Identity of its value.
  for (size_t k = 0; k < plan.boundary.size(); ++k) {
    onnx::TensorProto& value = values[k];
    value.set_name(plan.boundary[k]);
    if (!outputs.count(plan.boundary[k])) continue;
    value.set_name(plan.boundary[k] + "_folded");
    onnx::NodeProto* id = kept.Add();
    id->set_op_type("Identity");
    id->set_name(plan.boundary[k] + "_folded_output");
    id->add_input(value.name());
    id->add_output(plan.boundary[k]);
  }
  *g.mutable_node() = std::move(kept);
  std::unordered_set<std::string> read(outputs);
  for (const onnx::NodeProto& n : g.node())
    for (const std::string& in : n.input()) read.insert(in);
  google::protobuf::RepeatedPtrField<onnx::TensorProto> initializers;
  for (const onnx::TensorProto& t : g.initializer())
    if (read.count(t.name())) *initializers.Add() = t;
  for (onnx::TensorProto& v : values) *initializers.Add() = std::move(v);
  *g.mutable_initializer() = std::move(initializers);
  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> info;  // describe only values that still exist
  std::unordered_set<std::string> exists(read);
  for (const onnx::NodeProto& n : g.node())
    for (const std::string& out : n.output()) exists.insert(out);
  for (const onnx::ValueInfoProto& v : g.value_info())
    if (exists.count(v.name())) *info.Add() = v;
  *g.mutable_value_info() = std::move(info);
}

}  // namespace mirt::cli
