// parsers/onnx/model_importer.cpp — walks an ONNX ModelProto and adds its parts to a mirt network.
#include "parsers/onnx/model_importer.hpp"

#include <climits>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "parsers/onnx/attribute_import.hpp"
#include "parsers/onnx/flex_attention_expand.hpp"
#include "parsers/onnx/onnx_proto.hpp"
#include "parsers/onnx/opset_upgrade.hpp"
#include "parsers/onnx/output_check.hpp"
#include "parsers/onnx/tensor_import.hpp"
#include "parsers/onnx/wire_check.hpp"

namespace mirt::onnx {

namespace {

mirt_string_view view(std::string_view s) { return {s.data(), s.size()}; }

bool is_default_domain(std::string_view domain) { return domain.empty() || domain == "ai.onnx"; }

std::string hex_prefix(const void* data, size_t size) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size && i < 8; ++i) {
    out += i ? " " : "";
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

class importer final : public upgrade_context {
 public:
  importer(const mirt_host_api& host, mirt_network* network, std::string_view base_dir)
      : host_(host), network_(network), files_(std::string(base_dir)) {}

  status run(const void* data, size_t size) {
    MIRT_ONNX_RETURN_IF_ERROR(parse_bytes(data, size));
    read_opsets();
    const ::onnx::GraphProto& g = model_.graph();
    reserve_names(g);
    for (const ::onnx::TensorProto& t : g.initializer()) MIRT_ONNX_RETURN_IF_ERROR(add_initializer(t));
    if (g.sparse_initializer_size() > 0)
      return make_error(MIRT_STATUS_UNSUPPORTED, "sparse initializer '", g.sparse_initializer(0).values().name(),
                        "': sparse tensors are not supported; densify the model first");
    for (const ::onnx::ValueInfoProto& v : g.input())
      if (!tensors_.count(v.name())) MIRT_ONNX_RETURN_IF_ERROR(add_input(v));
    for (int i = 0; i < g.node_size(); ++i) MIRT_ONNX_RETURN_IF_ERROR(add_node(g.node(i), i));
    for (const ::onnx::ValueInfoProto& v : g.output()) MIRT_ONNX_RETURN_IF_ERROR(add_output(v));
    MIRT_ONNX_RETURN_IF_ERROR(check_declared_outputs(host_, network_, g, tensors_));
    log(MIRT_LOG_LEVEL_INFO,
        cat("parsed ONNX model '", g.name(), "' (producer '", model_.producer_name(), " ", model_.producer_version(),
            "', IR ", model_.ir_version(), ", opset ", default_opset_, "): ", inputs_, " inputs, ", constants_,
            " constants, ", layers_, " layers, ", g.output_size(), " outputs"));
    return {};
  }

  // ---- upgrade_context ----

  status add_constant(std::string_view suffix, mirt_dtype dtype, const std::vector<int64_t>& dims, const void* data,
                      size_t size, mirt_tensor** out_tensor) override {
    std::string name = unique_name(cat(node_base_name_, ":", suffix));
    return add_constant_tensor(name, dtype, dims, data, size, out_tensor);
  }

  mirt_dtype known_dtype(const mirt_tensor* t) const override {
    auto it = dtypes_.find(t);
    return it == dtypes_.end() ? MIRT_DTYPE_UNDEFINED : it->second;
  }

  void warn(const std::string& message) override { log(MIRT_LOG_LEVEL_WARNING, cat(node_label_, ": ", message)); }

 private:
  void log(mirt_log_level level, const std::string& message) {
    if (host_.log) host_.log(level, "onnx", message.c_str());
  }

  status parse_bytes(const void* data, size_t size) {
    if (size == 0 || !data) return make_error(MIRT_STATUS_CORRUPT_DATA, "not an ONNX model: the data is empty");
    if (size > static_cast<size_t>(INT_MAX))
      return make_error(MIRT_STATUS_UNSUPPORTED, "the model is ", size,
                        " bytes; protobuf reads at most 2 GiB, so larger ONNX models keep their weights in external "
                        "data files (onnx.save_model(..., save_as_external_data=True))");
    if (!model_.ParseFromArray(data, static_cast<int>(size))) {
      std::string fault = describe_wire_fault(data, size);
      if (fault.empty())
        fault = cat("the ", size, " bytes are protobuf but protobuf refused them as an ONNX ModelProto (a field holds a "
                    "value of the wrong kind): not an ONNX file, or damaged");
      return make_error(MIRT_STATUS_CORRUPT_DATA, "not a readable ONNX model: ", fault);
    }
    if (model_.ir_version() <= 0 || !model_.has_graph())
      return make_error(MIRT_STATUS_CORRUPT_DATA, "not an ONNX model: the ", size,
                        " bytes parse as protobuf but hold no ", model_.ir_version() <= 0 ? "ir_version" : "graph",
                        " (first bytes: ", hex_prefix(data, size), ")");
    return {};
  }

  void read_opsets() {
    for (const ::onnx::OperatorSetIdProto& o : model_.opset_import()) {
      if (is_default_domain(o.domain()))
        default_opset_ = o.version();
      else
        opsets_[o.domain()] = o.version();
    }
    if (default_opset_ < 0 && model_.ir_version() < 3) default_opset_ = 1;  // before opset_import existed
  }

  // Every tensor name of the graph, so generated constant names never take one.
  void reserve_names(const ::onnx::GraphProto& g) {
    for (const auto& t : g.initializer()) reserved_.insert(t.name());
    for (const auto& v : g.input()) reserved_.insert(v.name());
    for (const auto& n : g.node())
      for (const std::string& o : n.output()) reserved_.insert(o);
  }

  std::string unique_name(const std::string& wanted) {
    std::string name = wanted;
    for (int i = 1; reserved_.count(name) || tensors_.count(name); ++i) name = cat(wanted, "_", i);
    reserved_.insert(name);
    return name;
  }

  status add_constant_tensor(const std::string& name, mirt_dtype dtype, const std::vector<int64_t>& dims,
                             const void* data, size_t size, mirt_tensor** out_tensor) {
    mirt_tensor* t = nullptr;
    MIRT_ONNX_RETURN_IF_HOST_ERROR(
        host_.network_add_constant(network_, view(name), dtype, dims.size(), dims.data(), data, size, &t));
    tensors_[name] = t;
    dtypes_[t] = dtype;
    ++constants_;
    if (out_tensor) *out_tensor = t;
    return {};
  }

  status add_initializer(const ::onnx::TensorProto& t) {
    std::string what = cat("initializer '", t.name(), "'");
    if (t.name().empty()) return make_error(MIRT_STATUS_CORRUPT_DATA, "an initializer has no name");
    tensor_data data;
    MIRT_ONNX_RETURN_IF_ERROR(read_tensor(t, what, files_, &data));
    return add_constant_tensor(t.name(), data.dtype, data.dims, data.bytes(), data.size, nullptr);
  }

  status add_input(const ::onnx::ValueInfoProto& v) {
    std::string what = cat("graph input '", v.name(), "'");
    if (v.name().empty()) return make_error(MIRT_STATUS_CORRUPT_DATA, "a graph input has no name");
    if (!v.type().has_tensor_type())
      return make_error(MIRT_STATUS_UNSUPPORTED, what, ": only tensor inputs are supported (not sequences, maps or "
                                                       "optionals)");
    const ::onnx::TypeProto_Tensor& tt = v.type().tensor_type();
    mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;
    MIRT_ONNX_RETURN_IF_ERROR(to_mirt_dtype(tt.elem_type(), what, &dtype));
    if (!tt.has_shape())
      return make_error(MIRT_STATUS_UNSUPPORTED, what,
                        ": has no shape; mirt needs the rank of every input (give the input a shape, with "
                        "dim_param names for dynamic dimensions)");
    std::vector<int64_t> dims;
    std::vector<mirt_string_view> names;
    for (const ::onnx::TensorShapeProto_Dimension& d : tt.shape().dim()) {
      if (d.has_dim_value()) {
        if (d.dim_value() < 0)
          return make_error(MIRT_STATUS_CORRUPT_DATA, what, ": dim ", dims.size(), " is ", d.dim_value(),
                            ", expected >= 0 or a dim_param");
        dims.push_back(d.dim_value());
        names.push_back({nullptr, 0});
      } else {
        dims.push_back(-1);  // MIRT_DYNAMIC_DIM; named when dim_param is set, anonymous otherwise
        names.push_back(view(d.dim_param()));
      }
    }
    mirt_tensor* t = nullptr;
    MIRT_ONNX_RETURN_IF_HOST_ERROR(
        host_.network_add_input(network_, view(v.name()), dtype, dims.size(), dims.data(), names.data(), &t));
    tensors_[v.name()] = t;
    dtypes_[t] = dtype;
    ++inputs_;
    return {};
  }

  status add_constant_node(const ::onnx::NodeProto& node) {
    if (node.output_size() != 1 || node.attribute_size() != 1)
      return make_error(MIRT_STATUS_INVALID_GRAPH, "a Constant node needs one output and one value attribute, has ",
                        node.output_size(), " outputs and ", node.attribute_size(), " attributes");
    const ::onnx::AttributeProto& a = node.attribute(0);
    const std::string& name = node.output(0);
    const std::string& key = a.name();
    if (key == "value") {
      tensor_data data;
      MIRT_ONNX_RETURN_IF_ERROR(read_tensor(a.t(), cat("attribute 'value'"), files_, &data));
      return add_constant_tensor(name, data.dtype, data.dims, data.bytes(), data.size, nullptr);
    }
    if (key == "value_float") {
      float v = a.f();
      return add_constant_tensor(name, MIRT_DTYPE_FLOAT32, {}, &v, sizeof v, nullptr);
    }
    if (key == "value_int") {
      int64_t v = a.i();
      return add_constant_tensor(name, MIRT_DTYPE_INT64, {}, &v, sizeof v, nullptr);
    }
    if (key == "value_floats")
      return add_constant_tensor(name, MIRT_DTYPE_FLOAT32, {a.floats_size()}, a.floats().data(),
                                 a.floats_size() * sizeof(float), nullptr);
    if (key == "value_ints")
      return add_constant_tensor(name, MIRT_DTYPE_INT64, {a.ints_size()}, a.ints().data(),
                                 a.ints_size() * sizeof(int64_t), nullptr);
    return make_error(MIRT_STATUS_UNSUPPORTED, "attribute '", key,
                      "' is not supported (mirt takes value, value_float(s) and value_int(s); strings and sparse "
                      "tensors are not tensors mirt has)");
  }

  // FlexAttention with score_mod/prob_mod: its standard-node expansion (flex_attention_expand.hpp).
  status add_expanded_flex_attention(const ::onnx::NodeProto& node, int index) {
    flex_attention_expansion expansion;
    const std::string prefix = unique_name(cat(node_base_name_, ":flex")) + "/";
    MIRT_ONNX_RETURN_IF_ERROR(expand_flex_attention(node, default_opset_, prefix, &expansion), node_label_);
    for (const ::onnx::TensorProto& t : expansion.initializers) MIRT_ONNX_RETURN_IF_ERROR(add_initializer(t));
    for (const ::onnx::NodeProto& n : expansion.nodes) MIRT_ONNX_RETURN_IF_ERROR(add_node(n, index));
    return {};
  }

  status add_node(const ::onnx::NodeProto& node, int index) {
    bool standard = is_default_domain(node.domain());
    int64_t opset = standard ? default_opset_ : (opsets_.count(node.domain()) ? opsets_[node.domain()] : -1);
    node_label_ = cat("ONNX node ", node.name().empty() ? cat("#", index) : cat("'", node.name(), "' (#", index, ")"),
                      " (", node.op_type(), ", domain '", node.domain(), "', opset ",
                      opset < 0 ? std::string("not imported") : std::to_string(opset), ")");
    node_base_name_ = !node.name().empty()                          ? node.name()
                      : node.output_size() && !node.output(0).empty() ? node.output(0)
                                                                     : cat(node.op_type(), "_", index);
    if (is_flex_attention_with_subgraphs(node)) return add_expanded_flex_attention(node, index);
    if (standard && opset < 0)
      return make_error(MIRT_STATUS_CORRUPT_DATA, node_label_,
                        ": the model imports no opset for the default ONNX domain (opset_import is empty)");
    if (node.op_type().empty()) return make_error(MIRT_STATUS_CORRUPT_DATA, node_label_, ": op_type is empty");
    if (standard && node.op_type() == "Constant") {
      MIRT_ONNX_RETURN_IF_ERROR(add_constant_node(node), node_label_);
      return {};
    }

    layer_draft draft;
    draft.op_type = node.op_type();
    for (int i = 0; i < node.input_size(); ++i) {
      const std::string& name = node.input(i);
      if (name.empty()) {
        draft.inputs.push_back(nullptr);
        continue;
      }
      mirt_tensor* found = find_tensor(name);
      if (!found)
        return make_error(MIRT_STATUS_INVALID_GRAPH, node_label_, ": input ", i, " '", name,
                          "' is not a graph input, an initializer or the output of an earlier node (ONNX graphs are "
                          "topologically sorted)");
      draft.inputs.push_back(found);
    }
    MIRT_ONNX_RETURN_IF_ERROR(convert_attributes(node, &draft.attributes), node_label_);
    draft.num_outputs = static_cast<size_t>(node.output_size());
    if (standard) MIRT_ONNX_RETURN_IF_ERROR(upgrade_to_latest(opset, *this, &draft), node_label_);
    // Control flow keeps omitted inputs in place: a Loop's M and cond are positions, not a tail.
    const bool control_flow = standard && is_control_flow_op(node);
    while (!control_flow && !draft.inputs.empty() && !draft.inputs.back()) draft.inputs.pop_back();
    body_list bodies(host_);
    if (control_flow) MIRT_ONNX_RETURN_IF_ERROR(import_bodies(node, opset, &bodies));

    std::string layer_name = node.name();
    if (!layer_name.empty() && !layer_names_.insert(layer_name).second) {
      layer_name = cat(layer_name, "_", index);
      warn(cat("another node has the same name; this one becomes layer '", layer_name, "'"));
      layer_names_.insert(layer_name);
    }
    std::vector<mirt_string_view> output_names;
    for (const std::string& o : node.output()) output_names.push_back(view(o));
    std::vector<mirt_string_view> string_views;
    std::vector<mirt_attribute> attributes = draft.attributes.views(&string_views);

    mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
    desc.op_type = view(draft.op_type);
    desc.domain = view(node.domain());
    desc.name = view(layer_name);
    desc.num_inputs = draft.inputs.size();
    desc.inputs = draft.inputs.data();
    desc.num_attributes = attributes.size();
    desc.attributes = attributes.data();
    desc.num_outputs = output_names.size();
    desc.output_names = output_names.empty() ? nullptr : output_names.data();
    desc.num_bodies = bodies.attributes.size();
    desc.bodies = bodies.attributes.empty() ? nullptr : bodies.attributes.data();
    // Room for the op's default output count too, when the node lists no outputs.
    std::vector<mirt_tensor*> outputs(std::max<size_t>(output_names.size(), 32), nullptr);
    MIRT_ONNX_RETURN_IF_HOST_ERROR(host_.network_add_layer(network_, &desc, outputs.data()));
    for (size_t o = 0; o < output_names.size(); ++o)
      if (!node.output(static_cast<int>(o)).empty()) tensors_[node.output(static_cast<int>(o))] = outputs[o];
    ++layers_;
    return {};
  }

  // ---- control flow: If, Loop and Scan bodies ----

  // The bodies made for one layer; destroyed once the layer (which copies them) is added.
  struct body_list {
    explicit body_list(const mirt_host_api& host) : host(host) {}
    ~body_list() {
      for (mirt_network* b : networks) host.network_destroy(b);
    }
    const mirt_host_api& host;
    std::vector<mirt_network*> networks;
    std::vector<std::string> names;
    std::vector<mirt_body_attribute> attributes;
  };

  // A name of this scope, else of the nearest enclosing one (a body reads outer values by name).
  mirt_tensor* find_tensor(const std::string& name) const {
    if (auto it = tensors_.find(name); it != tensors_.end()) return it->second;
    for (auto scope = outer_.rbegin(); scope != outer_.rend(); ++scope)
      if (auto it = scope->find(name); it != scope->end()) return it->second;
    return nullptr;
  }

  status import_bodies(const ::onnx::NodeProto& node, int64_t /*opset*/, body_list* out) {
    if (host_.struct_size < offsetof(mirt_host_api, network_destroy) + sizeof(host_.network_destroy) ||
        !host_.network_create_body || !host_.network_add_body_input || !host_.network_destroy)
      return make_error(MIRT_STATUS_UNSUPPORTED, node_label_, ": this libmirt takes no control-flow bodies; update it");
    out->names.reserve(node.attribute_size());
    for (const ::onnx::AttributeProto& a : node.attribute()) {
      if (a.type() != ::onnx::AttributeProto::GRAPH && !a.has_g()) continue;
      mirt_network* body = nullptr;
      MIRT_ONNX_RETURN_IF_HOST_ERROR(host_.network_create_body(network_, view(a.name()), &body));
      out->networks.push_back(body);
      out->names.push_back(a.name());
      MIRT_ONNX_RETURN_IF_ERROR(import_body(a.g(), body), node_label_, ": body '", a.name(), "'");
      out->attributes.push_back({view(out->names.back()), body});
    }
    return {};
  }

  // Fills body from g: formal inputs, initializers, nodes, outputs, in a scope of its own.
  status import_body(const ::onnx::GraphProto& g, mirt_network* body) {
    mirt_network* const outer_network = network_;
    const std::string label = node_label_, base = node_base_name_;
    outer_.push_back(std::move(tensors_));
    tensors_.clear();
    network_ = body;
    status s = fill_body(g, body);
    network_ = outer_network;
    tensors_ = std::move(outer_.back());
    outer_.pop_back();
    node_label_ = label, node_base_name_ = base;
    return s;
  }

  status fill_body(const ::onnx::GraphProto& g, mirt_network* body) {
    reserve_names(g);
    for (const ::onnx::ValueInfoProto& v : g.input()) {
      mirt_tensor* t = nullptr;
      MIRT_ONNX_RETURN_IF_HOST_ERROR(host_.network_add_body_input(body, view(v.name()), &t));
      tensors_[v.name()] = t;
    }
    for (const ::onnx::TensorProto& t : g.initializer()) MIRT_ONNX_RETURN_IF_ERROR(add_initializer(t));
    for (int i = 0; i < g.node_size(); ++i) MIRT_ONNX_RETURN_IF_ERROR(add_node(g.node(i), i));
    std::unordered_set<mirt_tensor*> marked;
    for (const ::onnx::ValueInfoProto& v : g.output()) {
      mirt_tensor* t = find_tensor(v.name());
      if (!t)
        return make_error(MIRT_STATUS_INVALID_GRAPH, "output '", v.name(), "' is not produced by any node, "
                          "initializer or input of the body or an enclosing graph");
      // An outer value, or one given twice, goes out through an Identity of the body's own.
      if (tensors_.count(v.name()) && tensors_[v.name()] == t && marked.insert(t).second) {
        MIRT_ONNX_RETURN_IF_HOST_ERROR(host_.network_mark_output(body, t));
        continue;
      }
      const std::string name = unique_name(cat(v.name(), ":body_output"));
      mirt_string_view out_name = view(name);
      mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
      desc.op_type = view("Identity");
      desc.num_inputs = 1;
      desc.inputs = &t;
      desc.num_outputs = 1;
      desc.output_names = &out_name;
      mirt_tensor* copy = nullptr;
      MIRT_ONNX_RETURN_IF_HOST_ERROR(host_.network_add_layer(body, &desc, &copy));
      MIRT_ONNX_RETURN_IF_HOST_ERROR(host_.network_mark_output(body, copy));
    }
    return {};
  }

  status add_output(const ::onnx::ValueInfoProto& v) {
    auto it = tensors_.find(v.name());
    if (it == tensors_.end())
      return make_error(MIRT_STATUS_INVALID_GRAPH, "graph output '", v.name(),
                        "' is not produced by any node, initializer or graph input");
    MIRT_ONNX_RETURN_IF_HOST_ERROR(host_.network_mark_output(network_, it->second));
    return {};
  }

  const mirt_host_api& host_;
  mirt_network* network_;
  external_files files_;
  ::onnx::ModelProto model_;
  int64_t default_opset_ = -1;
  std::map<std::string, int64_t> opsets_;
  std::unordered_map<std::string, mirt_tensor*> tensors_;          // this scope's names
  std::vector<std::unordered_map<std::string, mirt_tensor*>> outer_;  // enclosing scopes, outermost first
  std::unordered_map<const mirt_tensor*, mirt_dtype> dtypes_;
  std::unordered_set<std::string> reserved_;
  std::unordered_set<std::string> layer_names_;
  std::string node_label_;      // names the node being imported, for messages
  std::string node_base_name_;  // prefix of constants an upgrade adds for that node
  size_t inputs_ = 0, constants_ = 0, layers_ = 0;
};

}  // namespace

status import_model(const mirt_host_api& host, mirt_network* network, const void* data, size_t size,
                    std::string_view base_dir) {
  importer imp(host, network, base_dir);
  return imp.run(data, size);
}

}  // namespace mirt::onnx
