// parsers/onnx/flex_attention_expand.cpp — see flex_attention_expand.hpp. The node sequence follows
// the operator's definition (ONNX's FlexAttention, preview opset 1): with Q [B, Hq, L, E],
// K [B, Hkv, S, E], V [B, Hkv, S, Ev] and G = Hq / Hkv,
//   K' = Reshape(Expand(Unsqueeze(K, 2), [B, Hkv, G, S, E]), [B, Hq, S, E]), V' alike
//   s  = scale (attribute) or 1 / sqrt(E), applied as sqrt(s) to Q and to K'
//   P  = prob_mod(Softmax(score_mod(Cast(Q' K'^T, softmax_precision)), axis 3))
//   Y  = CastLike(P, V) V'
#include "parsers/onnx/flex_attention_expand.hpp"

#include <map>

namespace mirt::onnx {

namespace {

using ::onnx::AttributeProto;
using ::onnx::GraphProto;
using ::onnx::NodeProto;
using ::onnx::TensorProto;

class writer {
 public:
  writer(const std::string& prefix, flex_attention_expansion* out) : prefix_(prefix), out_(out) {}

  std::string name(const std::string& local) const { return prefix_ + local; }

  // A node of the default domain; returns its (prefixed) output.
  std::string node(const char* op, std::initializer_list<std::string> inputs, const std::string& output) {
    NodeProto& n = out_->nodes.emplace_back();
    n.set_op_type(op);
    n.set_name(name(output));
    for (const std::string& in : inputs) n.add_input(in);
    n.add_output(name(output));
    return name(output);
  }
  void int_attr(const char* attr, int64_t value) {
    AttributeProto* a = out_->nodes.back().add_attribute();
    a->set_name(attr), a->set_type(AttributeProto::INT), a->set_i(value);
  }
  void ints_attr(const char* attr, std::initializer_list<int64_t> values) {
    AttributeProto* a = out_->nodes.back().add_attribute();
    a->set_name(attr), a->set_type(AttributeProto::INTS);
    for (int64_t v : values) a->add_ints(v);
  }

  std::string int64s(const std::string& local, std::initializer_list<int64_t> values, bool scalar = false) {
    TensorProto& t = out_->initializers.emplace_back();
    t.set_name(name(local)), t.set_data_type(TensorProto::INT64);
    if (!scalar) t.add_dims(int64_t(values.size()));
    for (int64_t v : values) t.add_int64_data(v);
    return name(local);
  }
  std::string float_scalar(const std::string& local, float value) {
    TensorProto& t = out_->initializers.emplace_back();
    t.set_name(name(local)), t.set_data_type(TensorProto::FLOAT), t.add_float_data(value);
    return name(local);
  }

  // Shape(x)[start:end] as a 1-D int64 tensor.
  std::string dims_of(const std::string& x, int64_t start, int64_t end, const std::string& local) {
    std::string y = node("Shape", {x}, local);
    int_attr("start", start);
    int_attr("end", end);
    return y;
  }

  // x (K or V) with each of its Hkv heads repeated G times: [B, Hq, S, D].
  std::string heads_for_queries(const std::string& x, const std::string& tag, const std::string& batch, const std::string& kv_heads,
                                const std::string& repeat, const std::string& kv_len, const std::string& q_heads) {
    const std::string head_size = dims_of(x, 3, 4, tag + "_head_size");
    const std::string grown = node("Unsqueeze", {x, int64s(tag + "_axis", {2})}, tag + "_unsqueezed");
    const std::string expand_shape = node("Concat", {batch, kv_heads, repeat, kv_len, head_size}, tag + "_expand_shape");
    int_attr("axis", 0);
    const std::string expanded = node("Expand", {grown, expand_shape}, tag + "_expanded");
    const std::string aligned_shape = node("Concat", {batch, q_heads, kv_len, head_size}, tag + "_aligned_shape");
    int_attr("axis", 0);
    return node("Reshape", {expanded, aligned_shape}, tag + "_aligned");
  }

  // The subgraph's nodes with its input read from `x`; returns the tensor of its output.
  status inline_subgraph(const AttributeProto& attr, const std::string& x, std::string* result) {
    const GraphProto& g = attr.g();
    if (g.input_size() != 1 || g.output_size() != 1)
      return make_error(MIRT_STATUS_INVALID_GRAPH, "attribute '", attr.name(), "' has ", g.input_size(), " inputs and ",
                        g.output_size(), " outputs; FlexAttention's modifiers take one tensor and give one");
    const std::string scope = attr.name() + "/";
    std::map<std::string, std::string> renamed = {{g.input(0).name(), x}};
    for (const TensorProto& t : g.initializer()) {
      TensorProto& copy = out_->initializers.emplace_back(t);
      copy.set_name(name(scope + t.name()));
      renamed[t.name()] = copy.name();
    }
    for (const NodeProto& n : g.node()) {
      for (const AttributeProto& a : n.attribute())
        if (a.has_g() || a.graphs_size() > 0)
          return make_error(MIRT_STATUS_UNSUPPORTED, "attribute '", attr.name(), "': its node ", n.op_type(),
                            " holds a subgraph of its own, which mirt cannot inline");
      NodeProto& copy = out_->nodes.emplace_back(n);
      copy.set_name(name(scope + (n.name().empty() ? n.op_type() + "_" + std::to_string(out_->nodes.size()) : n.name())));
      for (int i = 0; i < copy.input_size(); ++i)
        if (auto it = renamed.find(copy.input(i)); it != renamed.end()) copy.set_input(i, it->second);  // else an outer value
      for (int i = 0; i < copy.output_size(); ++i) {
        if (copy.output(i).empty()) continue;
        const std::string local = name(scope + copy.output(i));
        renamed[copy.output(i)] = local;
        copy.set_output(i, local);
      }
    }
    const auto it = renamed.find(g.output(0).name());
    *result = it != renamed.end() ? it->second : g.output(0).name();  // an outer value passed straight through
    return {};
  }

 private:
  std::string prefix_;
  flex_attention_expansion* out_;
};

const AttributeProto* find_attribute(const NodeProto& node, const char* name) {
  for (const AttributeProto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

}  // namespace

bool is_flex_attention_with_subgraphs(const NodeProto& node) {
  if (node.op_type() != "FlexAttention" || node.domain() != "ai.onnx.preview") return false;
  for (const AttributeProto& a : node.attribute())
    if (a.has_g()) return true;
  return false;
}

status expand_flex_attention(const NodeProto& node, int64_t default_opset, const std::string& prefix, flex_attention_expansion* out) {
  if (node.input_size() != 3 || node.output_size() != 1)
    return make_error(MIRT_STATUS_INVALID_GRAPH, "FlexAttention takes Q, K and V and gives Y; this node has ", node.input_size(),
                      " inputs and ", node.output_size(), " outputs");
  if (default_opset < 15)
    return make_error(MIRT_STATUS_UNSUPPORTED, "FlexAttention with score_mod or prob_mod is written out as standard ONNX nodes of "
                      "opset 15 or newer; the model imports opset ", default_opset);
  for (const AttributeProto& a : node.attribute())
    if (a.name() != "scale" && a.name() != "softmax_precision" && a.name() != "score_mod" && a.name() != "prob_mod")
      return make_error(MIRT_STATUS_UNSUPPORTED, "FlexAttention attribute '", a.name(), "' is unknown");
  const std::string &q = node.input(0), &k = node.input(1), &v = node.input(2);
  writer w(prefix, out);

  const std::string batch = w.dims_of(q, 0, 1, "batch"), kv_len = w.dims_of(k, -2, -1, "kv_len");
  const std::string q_heads = w.dims_of(q, 1, 2, "q_heads"), kv_heads = w.dims_of(k, 1, 2, "kv_heads");
  const std::string repeat = w.node("Div", {q_heads, kv_heads}, "kv_repeat");
  const std::string k_aligned = w.heads_for_queries(k, "k", batch, kv_heads, repeat, kv_len, q_heads);
  const std::string v_aligned = w.heads_for_queries(v, "v", batch, kv_heads, repeat, kv_len, q_heads);

  // sqrt(scale) on each side, in Q's dtype: the scores are s Q K^T.
  std::string scale;
  if (const AttributeProto* a = find_attribute(node, "scale"); a && a->has_f()) {
    scale = w.float_scalar("scale", a->f());
  } else {
    const std::string head = w.node("Gather", {w.node("Shape", {q}, "q_shape"), w.int64s("index_3", {3}, true)}, "qk_head_size");
    w.int_attr("axis", 0);
    const std::string head_f = w.node("Cast", {head}, "qk_head_size_f");
    w.int_attr("to", TensorProto::FLOAT);
    scale = w.node("Div", {w.float_scalar("one", 1.0f), w.node("Sqrt", {head_f}, "sqrt_head_size")}, "scale");
  }
  const std::string root = w.node("CastLike", {w.node("Sqrt", {scale}, "scale_sqrt"), q}, "scale_sqrt_like_q");
  const std::string q_scaled = w.node("Mul", {q, root}, "q_scaled");
  const std::string k_scaled = w.node("Mul", {k_aligned, root}, "k_scaled");
  const std::string k_t = w.node("Transpose", {k_scaled}, "k_transposed");
  w.ints_attr("perm", {0, 1, 3, 2});
  std::string scores = w.node("MatMul", {q_scaled, k_t}, "scores");
  const AttributeProto* precision = find_attribute(node, "softmax_precision");
  scores = w.node("Cast", {scores}, "scores_for_softmax");
  w.int_attr("to", precision && precision->has_i() ? precision->i() : int64_t(TensorProto::FLOAT));

  if (const AttributeProto* mod = find_attribute(node, "score_mod"); mod && mod->has_g())
    MIRT_ONNX_RETURN_IF_ERROR(w.inline_subgraph(*mod, scores, &scores));
  std::string probs = w.node("Softmax", {scores}, "probs");
  w.int_attr("axis", 3);
  if (const AttributeProto* mod = find_attribute(node, "prob_mod"); mod && mod->has_g())
    MIRT_ONNX_RETURN_IF_ERROR(w.inline_subgraph(*mod, probs, &probs));
  probs = w.node("CastLike", {probs, v}, "probs_like_v");

  NodeProto& y = out->nodes.emplace_back();
  y.set_op_type("MatMul");
  y.set_name(w.name("output"));
  y.add_input(probs);
  y.add_input(v_aligned);
  y.add_output(node.output(0));
  return {};
}

}  // namespace mirt::onnx
