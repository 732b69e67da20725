// core/builder/passes/infer_shapes.cpp — resolves optimization profiles and infers every tensor's
// type and shape, symbolically and at each profile's min/opt/max.
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

bool has_dynamic_dim(const tensor& t) {
  for (const dim& d : t.shape)
    if (!d.known()) return true;
  return false;
}

std::vector<int64_t> static_extents(const tensor& t) {
  std::vector<int64_t> out;
  for (const dim& d : t.shape) out.push_back(d.value);
  return out;
}

status check_range(const tensor& t, size_t p, const shape_range& r) {
  const size_t rank = t.shape.size();
  if (r.min.size() != rank || r.opt.size() != rank || r.max.size() != rank)
    return make_error(MIRT_STATUS_INVALID_SHAPE, "profile ", p, ": input '", t.name, "' has rank ", rank,
                      " but its min/opt/max have ranks ", r.min.size(), "/", r.opt.size(), "/", r.max.size());
  for (size_t d = 0; d < rank; ++d) {
    if (r.min[d] < 0 || r.min[d] > r.opt[d] || r.opt[d] > r.max[d])
      return make_error(MIRT_STATUS_INVALID_SHAPE, "profile ", p, ": input '", t.name, "' dim ", d,
                        " needs 0 <= min <= opt <= max, got ", r.min[d], "/", r.opt[d], "/", r.max[d]);
    if (t.shape[d].known() && (r.min[d] != t.shape[d].value || r.max[d] != t.shape[d].value))
      return make_error(MIRT_STATUS_INVALID_SHAPE, "profile ", p, ": input '", t.name, "' dim ", d, " is static (",
                        t.shape[d].value, ") but the profile gives ", r.min[d], "..", r.max[d]);
  }
  return {};
}

status resolve_profiles(build_state& state) {
  const graph& g = state.network;
  std::vector<profile_spec> specs = state.options.profiles;
  if (specs.empty()) specs.emplace_back();
  for (size_t p = 0; p < specs.size(); ++p) {
    for (const auto& [name, range] : specs[p].inputs) {
      int t = g.find_tensor(name);
      if (t < 0 || !g.tensors[t].is_input)
        return make_error(MIRT_STATUS_NOT_FOUND, "profile ", p, " names '", name, "', which is not a network input");
    }
    plan_profile profile;
    for (int t : g.inputs) {
      const tensor& in = g.tensors[t];
      profile_input pi;
      pi.tensor = t;
      auto given = specs[p].inputs.find(in.name);
      if (given != specs[p].inputs.end()) {
        MIRT_RETURN_IF_ERROR(check_range(in, p, given->second));
        pi.min = given->second.min;
        pi.opt = given->second.opt;
        pi.max = given->second.max;
      } else if (has_dynamic_dim(in)) {
        return make_error(MIRT_STATUS_INVALID_SHAPE, "input '", in.name, "' has dynamic dims (", to_string(in.shape),
                          ") but profile ", p, " gives no min/opt/max for it; add them to the builder config");
      } else {
        pi.min = pi.opt = pi.max = static_extents(in);
      }
      profile.inputs.push_back(std::move(pi));
    }
    state.profiles.push_back(std::move(profile));
  }
  return {};
}

status infer_shapes(build_state& state) {
  MIRT_RETURN_IF_ERROR(resolve_profiles(state));
  MIRT_ASSIGN_OR_RETURN(state.types, infer_types(state.network, state.order));
  static const char* which_name[] = {"min", "opt", "max"};
  for (size_t p = 0; p < state.profiles.size(); ++p)
    for (int which = 0; which < 3; ++which) {
      result<std::vector<tensor_type>> concrete = infer_types(state.network, state.order, state.profile_shapes(p, which));
      if (!concrete.ok())
        return concrete.error().with_context(cat("at the ", which_name[which], " shapes of profile ", p));
    }
  return {};
}

}  // namespace

pass make_infer_shapes_pass() { return {"infer shapes", infer_shapes}; }

}  // namespace mirt
