// tools/mirt/onnx_model_info.cpp — reads an ONNX model with libonnx for `mirt inspect`.
#include "onnx_model_info.hpp"

#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "onnx_file.hpp"

namespace mirt::cli {

struct onnx_model_info::impl {
  onnx::ModelProto model;
  std::unordered_map<std::string, const onnx::TensorProto*> initializers;
  std::unordered_map<std::string, const onnx::ValueInfoProto*> values;  // inputs, value_info, outputs
  std::unordered_map<std::string, int> producer;                        // output name -> node index
};

namespace {

std::string dtype_text(int32_t t) {
  switch (t) {
    case onnx::TensorProto::FLOAT: return "float32";
    case onnx::TensorProto::FLOAT16: return "float16";
    case onnx::TensorProto::BFLOAT16: return "bfloat16";
    case onnx::TensorProto::DOUBLE: return "float64";
    case onnx::TensorProto::INT8: return "int8";
    case onnx::TensorProto::UINT8: return "uint8";
    case onnx::TensorProto::INT16: return "int16";
    case onnx::TensorProto::UINT16: return "uint16";
    case onnx::TensorProto::INT32: return "int32";
    case onnx::TensorProto::UINT32: return "uint32";
    case onnx::TensorProto::INT64: return "int64";
    case onnx::TensorProto::UINT64: return "uint64";
    case onnx::TensorProto::BOOL: return "bool";
    case onnx::TensorProto::STRING: return "string";
    case onnx::TensorProto::UNDEFINED: return "?";
    default: {
      std::string name = onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(t));
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      return name.empty() ? "type " + std::to_string(t) : name;
    }
  }
}

int64_t element_size(int32_t t) {
  switch (t) {
    case onnx::TensorProto::DOUBLE: case onnx::TensorProto::INT64: case onnx::TensorProto::UINT64: return 8;
    case onnx::TensorProto::FLOAT: case onnx::TensorProto::INT32: case onnx::TensorProto::UINT32: return 4;
    case onnx::TensorProto::FLOAT16: case onnx::TensorProto::BFLOAT16: case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16: return 2;
    default: return 1;
  }
}

onnx_value_info value_of(const onnx::ValueInfoProto& v) {
  onnx_value_info out;
  out.name = v.name();
  if (!v.type().has_tensor_type()) {
    if (v.has_type()) out.dtype = "(not a tensor)";
    return out;
  }
  const onnx::TypeProto::Tensor& t = v.type().tensor_type();
  out.dtype = dtype_text(t.elem_type());
  out.has_shape = t.has_shape();
  for (const onnx::TensorShapeProto::Dimension& d : t.shape().dim()) {
    if (d.has_dim_value()) out.dims.push_back(std::to_string(d.dim_value()));
    else if (!d.dim_param().empty()) out.dims.push_back(d.dim_param());
    else out.dims.emplace_back(1, '?');
  }
  return out;
}

// A graph input of the probe: v's type with every unknown or symbolic dim set to 1.
onnx::ValueInfoProto concrete_input(const onnx::ValueInfoProto& v) {
  onnx::ValueInfoProto out = v;
  onnx::TensorShapeProto* shape = out.mutable_type()->mutable_tensor_type()->mutable_shape();
  for (onnx::TensorShapeProto::Dimension& d : *shape->mutable_dim())
    if (!d.has_dim_value()) d.set_dim_value(1);
  return out;
}

}  // namespace

onnx_model_info::onnx_model_info(const std::string& path) : impl_(std::make_unique<impl>()) {
  read_onnx_model(path, impl_->model);
  onnx::ModelProto& m = impl_->model;
  try {  // fills value_info; nodes it cannot infer (newer opsets, custom domains) are left without
    onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(), onnx::ShapeInferenceOptions(false, 0, true));
  } catch (const std::exception&) {
  }

  ir_version = m.ir_version();
  producer = m.producer_name() + (m.producer_version().empty() ? "" : " " + m.producer_version());
  const onnx::GraphProto& g = m.graph();
  graph_name = g.name();
  for (const onnx::OperatorSetIdProto& o : m.opset_import()) opsets[o.domain().empty() ? "ai.onnx" : o.domain()] = o.version();
  for (const onnx::TensorProto& t : g.initializer()) {
    impl_->initializers[t.name()] = &t;
    int64_t n = 1;
    for (int64_t d : t.dims()) n *= d;
    ++num_initializers;
    num_parameters += n;
    initializer_bytes += n * element_size(t.data_type());
  }
  for (const onnx::ValueInfoProto& v : g.input())
    if (impl_->initializers.count(v.name()) == 0) inputs.push_back(value_of(v));
  for (const onnx::ValueInfoProto& v : g.output()) outputs.push_back(value_of(v));
  for (const auto* list : {&g.input(), &g.value_info(), &g.output()})
    for (const onnx::ValueInfoProto& v : *list)
      if (v.type().has_tensor_type() && impl_->values.count(v.name()) == 0) impl_->values[v.name()] = &v;

  std::map<std::pair<std::string, std::string>, size_t> index;
  num_nodes = g.node_size();
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    for (const std::string& o : n.output()) impl_->producer[o] = i;
    const std::string domain = n.domain() == "ai.onnx" ? "" : n.domain();
    auto [it, added] = index.emplace(std::make_pair(domain, n.op_type()), ops.size());
    if (added) ops.push_back({domain, n.op_type(), 0, {}});
    ++ops[it->second].count;
    ops[it->second].nodes.push_back(i);
  }
  std::stable_sort(ops.begin(), ops.end(), [](const onnx_op_count& a, const onnx_op_count& b) {
    return a.count != b.count ? a.count > b.count : a.op_type < b.op_type;
  });
}

onnx_model_info::~onnx_model_info() = default;

std::string onnx_model_info::single_node_model(int index, std::string* why_not) const {
  const onnx::ModelProto& m = impl_->model;
  const onnx::NodeProto& node = m.graph().node(index);
  onnx::ModelProto probe;
  probe.set_ir_version(m.ir_version());
  *probe.mutable_opset_import() = m.opset_import();
  onnx::GraphProto* g = probe.mutable_graph();
  g->set_name("probe");
  std::set<std::string> done;
  for (const std::string& name : node.input()) {
    if (name.empty() || !done.insert(name).second) continue;
    if (auto it = impl_->initializers.find(name); it != impl_->initializers.end()) {
      *g->add_initializer() = *it->second;
      continue;
    }
    if (auto p = impl_->producer.find(name); p != impl_->producer.end()) {
      const onnx::NodeProto& from = m.graph().node(p->second);
      if (from.op_type() == "Constant" && (from.domain().empty() || from.domain() == "ai.onnx")) {
        *g->add_node() = from;  // keeps the value constant, as shape inputs must be
        continue;
      }
    }
    auto v = impl_->values.find(name);
    if (v == impl_->values.end() || !v->second->type().tensor_type().has_shape()) {
      *why_not = "ONNX shape inference found no type and shape for its input '" + name + "'";
      return {};
    }
    *g->add_input() = concrete_input(*v->second);
  }
  *g->add_node() = node;
  for (const std::string& name : node.output()) {
    if (name.empty()) continue;
    onnx::ValueInfoProto* out = g->add_output();
    out->set_name(name);
  }
  return probe.SerializeAsString();
}

}  // namespace mirt::cli
