// core/builder/passes/fold_attention_mask.cpp — lets a mirt::FusedAttention read the padding mask
// its additive mask was computed from, where that computation is an affine map of it.
//
// Encoders exported from Hugging Face turn the 0/1 attention_mask input into the additive mask
// (1 - Cast(mask)) * min_float before the first layer: a Cast and one or two elementwise layers
// (one FusedElementwise after fuse_elementwise), and in FP16 builds a Cast to float16 after them.
// At BERT's batch 1 those are four kernels of 1 to 2 us each in a run of 0.44 ms. FusedAttention
// applies mask_shift + mask_scale * mask as it loads the mask instead (core/graph/schemas/
// attention.cpp), so every attention layer reads the integer mask itself and the layers that made
// the additive one go (eliminate_dead_code).
//
// The pattern, for each FusedAttention's mask input t:
//   t = P(x), P a FusedElementwise program or one Add/Sub/Mul/Div with a scalar constant, affine
//   in x (x * c, x + c, c - x, ... composed); x = Cast(y) to float32 from y of int32/int64/bool.
// The backend is asked first (in the reduced type with FP16/BF16, as fuse_attention asks).
#include <cmath>
#include <optional>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

// a + b x, in double.
struct affine {
  double a = 0, b = 1;
};

std::optional<affine> combine(const std::string& op, const affine& u, const affine& v) {
  if (op == "Add") return affine{u.a + v.a, u.b + v.b};
  if (op == "Sub") return affine{u.a - v.a, u.b - v.b};
  if (op == "Mul") {
    if (u.b == 0) return affine{u.a * v.a, u.a * v.b};
    if (v.b == 0) return affine{u.a * v.a, u.b * v.a};
    return std::nullopt;  // x * x
  }
  if (op == "Div" && v.b == 0 && v.a != 0) return affine{u.a / v.a, u.b / v.a};
  return std::nullopt;
}

// The value of a float32 constant with one element.
std::optional<double> scalar_value(const graph& g, int t) {
  if (t < 0) return std::nullopt;
  const tensor& c = g.tensors[t];
  if (c.constant < 0 || c.dtype != MIRT_DTYPE_FLOAT32 || element_count(c.shape) != 1) return std::nullopt;
  return double(*static_cast<const float*>(g.constants[c.constant].data()));
}

// A FusedElementwise program as an affine map of its input, or nothing.
std::optional<affine> program_map(const node& n) {
  const attribute *ops = n.attributes.find("ops"), *operands = n.attributes.find("operands"),
                  *constants = n.attributes.find("constants");
  if (!ops || !operands || operands->ints.size() != 2 * ops->strings.size()) return std::nullopt;
  std::vector<affine> registers = {affine{0, 1}};  // register 0: x
  auto operand = [&](int64_t r) -> std::optional<affine> {
    if (r >= 0) return size_t(r) < registers.size() ? std::optional<affine>(registers[size_t(r)]) : std::nullopt;
    const size_t c = size_t(-1 - r);
    if (!constants || c >= constants->floats.size()) return std::nullopt;
    return affine{double(constants->floats[c]), 0};
  };
  for (size_t i = 0; i < ops->strings.size(); ++i) {
    const std::optional<affine> u = operand(operands->ints[2 * i]);
    if (!u) return std::nullopt;
    if (ops->strings[i] == "Neg") {  // the one affine unary step (its second operand is unused)
      registers.push_back(affine{-u->a, -u->b});
      continue;
    }
    const std::optional<affine> v = operand(operands->ints[2 * i + 1]);
    if (!v) return std::nullopt;
    const std::optional<affine> r = combine(ops->strings[i], *u, *v);
    if (!r) return std::nullopt;
    registers.push_back(*r);
  }
  return registers.back();
}

struct source {
  int x = -1;  // the tensor the map reads
  affine map;
};

// t = P(x) with P affine: x and P, or nothing.
std::optional<source> affine_source(const graph& g, int t) {
  const int p = g.tensors[t].producer;
  if (p < 0) return std::nullopt;
  const node& n = g.nodes[p];
  if (n.domain == "mirt" && n.op_type == "FusedElementwise" && n.inputs.size() == 1) {
    const std::optional<affine> m = program_map(n);
    if (!m) return std::nullopt;
    return source{n.inputs[0], *m};
  }
  if (!n.domain.empty() || n.inputs.size() != 2) return std::nullopt;
  for (int side = 0; side < 2; ++side) {  // one operand a scalar constant, the other x
    const std::optional<double> c = scalar_value(g, n.inputs[size_t(1 - side)]);
    if (!c || n.inputs[size_t(side)] < 0) continue;
    const affine x{0, 1}, k{*c, 0};
    const std::optional<affine> m = side == 0 ? combine(n.op_type, x, k) : combine(n.op_type, k, x);
    if (m) return source{n.inputs[size_t(side)], *m};
  }
  return std::nullopt;
}

bool integer_mask(mirt_dtype d) { return d == MIRT_DTYPE_INT32 || d == MIRT_DTYPE_INT64 || d == MIRT_DTYPE_BOOL; }

status fold(build_state& state) {
  if (!state.options.layer_precisions.empty()) return {};  // constraints name the layers this would hide
  graph& g = state.network;
  MIRT_RETURN_IF_ERROR(state.acquire_target());
  size_t folded = 0;
  for (node& f : g.nodes) {
    if (f.domain != "mirt" || f.op_type != "FusedAttention" || f.inputs.size() < 4 || f.inputs[3] < 0) continue;
    std::optional<source> s = affine_source(g, f.inputs[3]);
    if (!s) continue;
    // Through a Cast to float32 from integers or booleans, to the mask as the graph holds it.
    const int cast = g.tensors[s->x].producer;
    if (cast >= 0 && g.nodes[cast].domain.empty() && g.nodes[cast].op_type == "Cast" &&
        g.nodes[cast].attributes.get_int("to", 0) == 1 && integer_mask(state.types[g.nodes[cast].inputs[0]].dtype))
      s->x = g.nodes[cast].inputs[0];
    if (!integer_mask(state.types[s->x].dtype)) continue;  // a float mask's map stays a layer
    const double scale = f.attributes.get_float("mask_scale", 1.f), shift = f.attributes.get_float("mask_shift", 0.f);
    node candidate = f;
    candidate.inputs[3] = s->x;
    candidate.attributes.set(attribute{"mask_scale", MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {float(scale * s->map.b)}, {}});
    candidate.attributes.set(attribute{"mask_shift", MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {float(shift + scale * s->map.a)}, {}});
    if (!state.target_runs_as(g, candidate, state.types, state.reduced_dtype())) continue;
    f = std::move(candidate);
    ++folded;
  }
  if (folded == 0) return {};
  log_info("builder", "folded the additive mask of ", folded, " FusedAttention layers into the layers (they read the mask input)");
  return state.reindex_and_infer();
}

}  // namespace

pass make_fold_attention_mask_pass() { return {"fold attention mask", fold}; }

}  // namespace mirt
