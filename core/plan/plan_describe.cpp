// core/plan/plan_describe.cpp — renders a plan_model as the JSON of `mirt inspect --json`.
#include "core/plan/plan_describe.hpp"

#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/plan/plan_header.hpp"
#include "mirt/builder.h"

namespace mirt {
namespace {

using json = nlohmann::ordered_json;

json tensor_name(const graph& g, int t) {
  if (t < 0 || static_cast<size_t>(t) >= g.tensors.size()) return nullptr;
  return g.tensors[t].name;
}

// Known extents as numbers, dynamic ones as their symbol or -1; null when the rank is unknown.
json shape_json(const tensor& t) {
  if (!t.rank_known) return nullptr;
  json out = json::array();
  for (const dim& d : t.shape) {
    if (d.known()) out.push_back(d.value);
    else if (!d.symbol.empty()) out.push_back(d.symbol);
    else out.push_back(MIRT_DYNAMIC_DIM);
  }
  return out;
}

json tensor_json(const tensor& t) {
  return json{{"name", t.name}, {"dtype", mirt_dtype_name(t.dtype)}, {"shape", shape_json(t)}};
}

json precision_json(uint32_t flags) {
  static const std::pair<uint32_t, const char*> kNames[] = {{MIRT_PRECISION_FLAG_TF32, "tf32"},
                                                            {MIRT_PRECISION_FLAG_FP16, "fp16"},
                                                            {MIRT_PRECISION_FLAG_BF16, "bf16"},
                                                            {MIRT_PRECISION_FLAG_INT8, "int8"}};
  json names = json::array();
  uint32_t rest = flags;
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) names.push_back(name);
    rest &= ~bit;
  }
  if (rest) names.push_back(cat("unknown:", rest));
  return json{{"flags", flags}, {"names", names}};
}

json attribute_value(const attribute& a) {
  switch (a.type) {
    case MIRT_ATTRIBUTE_TYPE_INT: return a.ints.empty() ? json(nullptr) : json(a.ints[0]);
    case MIRT_ATTRIBUTE_TYPE_FLOAT: return a.floats.empty() ? json(nullptr) : json(a.floats[0]);
    case MIRT_ATTRIBUTE_TYPE_STRING: return a.strings.empty() ? json(nullptr) : json(a.strings[0]);
    case MIRT_ATTRIBUTE_TYPE_INTS: return a.ints;
    case MIRT_ATTRIBUTE_TYPE_FLOATS: return a.floats;
    case MIRT_ATTRIBUTE_TYPE_STRINGS: return a.strings;
    default: return nullptr;
  }
}

json layer_json(const plan_model& m, size_t n) {
  const graph& g = m.network;
  const node& x = g.nodes[n];
  json inputs = json::array(), outputs = json::array(), attributes = json::object();
  for (int t : x.inputs) inputs.push_back(tensor_name(g, t));
  for (int t : x.outputs) outputs.push_back(tensor_name(g, t));
  for (const attribute& a : x.attributes.all()) attributes[a.name] = attribute_value(a);
  json tactic = nullptr;
  if (n < m.kernels.size()) tactic = json{{"name", m.kernels[n].tactic_name}, {"id", m.kernels[n].tactic_id}};
  // The type the layer computes in: that of its first output (mixed precision, layer constraints),
  // or of its first input where an output_dtype attribute widens the output (a folded Cast).
  const int typed = x.attributes.find("output_dtype") && !x.inputs.empty() ? x.inputs[0] : x.outputs.empty() ? -1 : x.outputs[0];
  const mirt_dtype precision = typed < 0 ? MIRT_DTYPE_UNDEFINED : g.tensors[size_t(typed)].dtype;
  // What each output holds: a folded Cast makes a float16 layer write float32, which precision hides.
  json output_dtypes = json::array();
  for (int t : x.outputs)
    output_dtypes.push_back(t < 0 || size_t(t) >= g.tensors.size() ? json(nullptr) : json(mirt_dtype_name(g.tensors[size_t(t)].dtype)));
  return json{{"index", n},         {"name", x.name},     {"op", x.op_type},          {"domain", x.domain},
              {"inputs", inputs},   {"outputs", outputs}, {"attributes", attributes}, {"tactic", tactic},
              {"precision", mirt_dtype_name(precision)}, {"output_dtypes", output_dtypes}};
}

// Bytes of t once every dynamic dim takes its largest value in the profile, when that resolves:
// graph inputs from their own ranges, other tensors through the symbols they share with inputs.
std::optional<uint64_t> size_at_max(const graph& g, const plan_profile& p, int t,
                                    const std::map<std::string, int64_t>& symbol_max) {
  const tensor& x = g.tensors[t];
  if (!x.rank_known || mirt_dtype_size(x.dtype) == 0) return std::nullopt;
  uint64_t count = 1;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    int64_t extent = x.shape[d].value;
    if (extent < 0) {
      for (const profile_input& in : p.inputs)
        if (in.tensor == t && d < in.max.size()) extent = in.max[d];
      auto it = symbol_max.find(x.shape[d].symbol);
      if (extent < 0 && !x.shape[d].symbol.empty() && it != symbol_max.end()) extent = it->second;
    }
    if (extent < 0) return std::nullopt;
    count *= static_cast<uint64_t>(extent);
  }
  return count * mirt_dtype_size(x.dtype);
}

json profile_json(const plan_model& m, size_t index) {
  const graph& g = m.network;
  const plan_profile& p = m.profiles[index];
  std::map<std::string, int64_t> symbol_max;
  json inputs = json::array();
  for (const profile_input& in : p.inputs) {
    json entry{{"name", tensor_name(g, in.tensor)}, {"min", in.min}, {"opt", in.opt}, {"max", in.max}};
    if (in.shape_tensor)
      entry["values"] = json{{"min", in.min_values}, {"opt", in.opt_values}, {"max", in.max_values}};
    inputs.push_back(std::move(entry));
    if (in.tensor < 0 || static_cast<size_t>(in.tensor) >= g.tensors.size()) continue;
    const tensor& x = g.tensors[in.tensor];
    for (size_t d = 0; d < x.shape.size() && d < in.max.size(); ++d)
      if (!x.shape[d].symbol.empty()) symbol_max[x.shape[d].symbol] = in.max[d];
  }
  json tensors = json::array();
  for (size_t t = 0; t < p.memory.tensor_offsets.size() && t < g.tensors.size(); ++t) {
    int64_t offset = p.memory.tensor_offsets[t];
    if (offset < 0) continue;
    auto size = size_at_max(g, p, static_cast<int>(t), symbol_max);
    tensors.push_back(json{{"tensor", g.tensors[t].name},
                           {"offset", offset},
                           {"size_at_max", size ? json(*size) : json(nullptr)}});
  }
  json aliases = json::array();  // views of graph inputs, read in the input's buffer
  for (size_t t = 0; t < p.memory.input_aliases.size() && t < g.tensors.size(); ++t)
    if (p.memory.input_aliases[t] >= 0)
      aliases.push_back(json{{"tensor", g.tensors[t].name}, {"input", tensor_name(g, p.memory.input_aliases[t])}});
  json memory{{"arena_size", p.memory.arena_size}, {"tensors", tensors}, {"input_aliases", aliases}};
  return json{{"index", index}, {"inputs", inputs}, {"memory", memory}};
}

json weights_json(const plan_model& m) {
  const graph& g = m.network;
  std::vector<json> names(g.constants.size(), nullptr);
  for (const tensor& t : g.tensors)
    if (t.constant >= 0 && static_cast<size_t>(t.constant) < names.size() && names[t.constant].is_null())
      names[t.constant] = t.name;
  json constants = json::array();
  uint64_t offset = 0;  // the writer's layout: in order, each padded to 64 bytes
  for (size_t c = 0; c < g.constants.size(); ++c) {
    constants.push_back(json{{"index", c}, {"tensor", names[c]}, {"offset", offset}, {"size", g.constants[c].size}});
    offset += align_to_plan(g.constants[c].size);
  }
  return json{{"size", m.plan_weights_size ? m.plan_weights_size : offset},
              {"count", g.constants.size()},
              {"constants", constants}};
}

}  // namespace

std::string describe_plan_json(const plan_model& m, size_t plan_size) {
  const graph& g = m.network;
  json header{{"format", "mirt-plan"},
              {"format_version", m.plan_format_version},
              {"mirt_version", version_string(m.mirt_major, m.mirt_minor, m.mirt_patch)},
              {"backend", json{{"name", m.backend_name}, {"version", m.backend_version}}},
              {"device_signature", m.device_signature},
              {"precision", precision_json(m.precision_flags)},
              {"build_seconds", m.build_seconds},
              {"plan_size", plan_size},
              {"metadata_size", m.plan_metadata_size},
              {"weights_size", m.plan_weights_size},
              {"checksum", hex64(m.plan_checksum)}};
  json inputs = json::array(), outputs = json::array(), profiles = json::array(), layers = json::array();
  for (int t : g.inputs)
    if (t >= 0 && static_cast<size_t>(t) < g.tensors.size()) inputs.push_back(tensor_json(g.tensors[t]));
  for (int t : g.outputs)
    if (t >= 0 && static_cast<size_t>(t) < g.tensors.size()) outputs.push_back(tensor_json(g.tensors[t]));
  for (size_t p = 0; p < m.profiles.size(); ++p) profiles.push_back(profile_json(m, p));
  for (size_t n = 0; n < g.nodes.size(); ++n) layers.push_back(layer_json(m, n));
  // Plugin layers and the libraries a runtime needs for them.
  json plugins = json::array();
  for (const plugin_ref& p : m.plugins)
    plugins.push_back({{"layer", p.node >= 0 && static_cast<size_t>(p.node) < g.nodes.size() ? g.nodes[p.node].name : ""},
                       {"name", p.name},
                       {"version", p.version},
                       {"namespace", p.plugin_namespace},
                       {"library", p.library}});
  json doc{{"header", header},     {"network", g.name},     {"inputs", inputs}, {"outputs", outputs},
           {"profiles", profiles}, {"layers", layers},      {"weights", weights_json(m)}, {"plugins", plugins}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace mirt
