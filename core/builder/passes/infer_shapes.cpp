// core/builder/passes/infer_shapes.cpp — resolves optimization profiles and infers every tensor's
// type and shape, symbolically and at each profile's min/opt/max.
#include "core/base/log.hpp"
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

// Checks the value range a profile gives a shape tensor input: an int32/int64 input of fixed shape
// with at most 64 elements (values are read on the host), one min/opt/max entry per element.
status check_values(const tensor& t, size_t p, const profile_input& pi, const shape_range& r) {
  if (t.dtype != MIRT_DTYPE_INT32 && t.dtype != MIRT_DTYPE_INT64)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "profile ", p, ": input '", t.name, "' is ",
                      mirt_dtype_name(t.dtype), "; only int32 and int64 inputs can be shape tensors (given values)");
  if (pi.min != pi.max)
    return make_error(MIRT_STATUS_INVALID_SHAPE, "profile ", p, ": shape tensor input '", t.name,
                      "' needs a fixed shape, but its range is ", to_string(pi.min), " to ", to_string(pi.max));
  const int64_t count = element_count(pi.min);
  if (count > 64)
    return make_error(MIRT_STATUS_INVALID_SHAPE, "profile ", p, ": shape tensor input '", t.name, "' has ", count,
                      " elements; shape tensors hold at most 64");
  if (r.min.size() != static_cast<size_t>(count) || r.opt.size() != r.min.size() || r.max.size() != r.min.size())
    return make_error(MIRT_STATUS_INVALID_SHAPE, "profile ", p, ": shape tensor input '", t.name, "' has ", count,
                      " elements (shape ", to_string(pi.min), ") but its min/opt/max values have ", r.min.size(), "/",
                      r.opt.size(), "/", r.max.size());
  for (size_t i = 0; i < r.min.size(); ++i)
    if (r.min[i] > r.opt[i] || r.opt[i] > r.max[i])
      return make_error(MIRT_STATUS_INVALID_ARGUMENT, "profile ", p, ": shape tensor input '", t.name, "' value ", i,
                        " needs min <= opt <= max, got ", r.min[i], "/", r.opt[i], "/", r.max[i]);
  return {};
}

bool same_shapes(const std::vector<tensor_type>& a, const std::vector<tensor_type>& b) {
  for (size_t t = 0; t < a.size(); ++t)
    if (a[t].shape != b[t].shape || a[t].rank_known != b[t].rank_known) return false;
  return true;
}

// Keeps the value ranges only of inputs whose values change some inferred shape at the opt point
// (true shape tensors); values given for other inputs (data read by kernels only) are dropped, so
// those inputs stay ordinary device tensors.
status keep_shape_tensors(build_state& state, size_t p) {
  plan_profile& profile = state.profiles[p];
  for (profile_input& pi : profile.inputs) {
    if (!pi.shape_tensor) continue;
    auto values = state.profile_values(p, 1);
    auto with = infer_types(state.network, state.order, state.profile_shapes(p, 1), values);
    values.erase(pi.tensor);
    auto without = infer_types(state.network, state.order, state.profile_shapes(p, 1), values);
    // Inference that fails without the values (or with them: reported by the caller) needs them.
    if (!with.ok() || !without.ok() || !same_shapes(*with, *without)) continue;
    log_info("builder", "profile ", p, ": input '", state.network.tensors[pi.tensor].name,
             "' got values but no shape depends on them; it is not a shape tensor");
    pi.shape_tensor = false;
    pi.min_values.clear();
    pi.opt_values.clear();
    pi.max_values.clear();
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
    for (const auto& [name, range] : specs[p].values) {
      int t = g.find_tensor(name);
      if (t < 0 || !g.tensors[t].is_input)
        return make_error(MIRT_STATUS_NOT_FOUND, "profile ", p, " gives values for '", name,
                          "', which is not a network input");
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
      if (auto values = specs[p].values.find(in.name); values != specs[p].values.end()) {
        MIRT_RETURN_IF_ERROR(check_values(in, p, pi, values->second));
        pi.shape_tensor = true;
        pi.min_values = values->second.min;
        pi.opt_values = values->second.opt;
        pi.max_values = values->second.max;
      }
      profile.inputs.push_back(std::move(pi));
    }
    state.profiles.push_back(std::move(profile));
  }
  return {};
}

// A shape tensor is one in every profile (the engine reports it once); each profile needs its values.
status check_shape_tensors_agree(const build_state& state) {
  for (size_t p = 1; p < state.profiles.size(); ++p)
    for (size_t i = 0; i < state.profiles[p].inputs.size(); ++i) {
      const profile_input& first = state.profiles[0].inputs[i];
      const profile_input& other = state.profiles[p].inputs[i];
      if (first.shape_tensor != other.shape_tensor)
        return make_error(MIRT_STATUS_INVALID_ARGUMENT, "input '", state.network.tensors[first.tensor].name,
                          "' is a shape tensor, but profile ", first.shape_tensor ? p : 0,
                          " gives no values for it; give its min/opt/max values in every profile");
    }
  return {};
}

// One profile that fixes every input's shape (min == max) and every shape tensor's values (min ==
// max): the network's shapes are static for this plan, and those values are as good as constants
// (a context can only ever set those).
bool single_static_profile(const build_state& state) {
  if (state.profiles.size() != 1) return false;
  for (const profile_input& pi : state.profiles[0].inputs)
    if (pi.min != pi.max || (pi.shape_tensor && pi.min_values != pi.max_values)) return false;
  return true;
}

status infer_shapes(build_state& state) {
  MIRT_RETURN_IF_ERROR(resolve_profiles(state));
  for (size_t p = 0; p < state.profiles.size(); ++p) MIRT_RETURN_IF_ERROR(keep_shape_tensors(state, p));
  MIRT_RETURN_IF_ERROR(check_shape_tensors_agree(state));
  // With static shapes the passes work on that point: shape arithmetic on dynamic dims (exporters'
  // Shape -> Gather -> Unsqueeze -> Concat feeding a Reshape) folds to constants instead of running
  // per call, and fusion passes see every extent. Inputs keep their declared dims in the plan. Some
  // networks infer only there (a Squeeze without axes of a dim that a shape tensor's value gives).
  if (single_static_profile(state)) {
    result<std::vector<tensor_type>> types =
        infer_types(state.network, state.order, state.profile_shapes(0, 1), state.profile_values(0, 1));
    if (!types.ok()) return types.error().with_context("at the shapes of profile 0");
    state.types = std::move(types).value();
    state.static_shapes = true;  // remove_nodes infers at that point too
    return {};
  }
  MIRT_ASSIGN_OR_RETURN(state.types, infer_types(state.network, state.order));
  static const char* which_name[] = {"min", "opt", "max"};
  for (size_t p = 0; p < state.profiles.size(); ++p) {
    // With shape tensors, min and max values bound each element on its own: their corners need not
    // form a valid network (Reshape's [-1, ...] at min), so only the opt point must infer.
    const bool has_values = !state.profile_values(p, 1).empty();
    for (int which = 0; which < 3; ++which) {
      result<std::vector<tensor_type>> concrete =
          infer_types(state.network, state.order, state.profile_shapes(p, which), state.profile_values(p, which));
      if (concrete.ok()) continue;
      if (has_values && which != 1) {
        log_info("builder", "profile ", p, ": the ", which_name[which], " shape tensor values do not infer (",
                 concrete.error().message(), "); memory is sized when a context sets values");
        continue;
      }
      return concrete.error().with_context(cat("at the ", which_name[which], " shapes of profile ", p));
    }
  }
  return {};
}

}  // namespace

pass make_infer_shapes_pass() { return {"infer shapes", infer_shapes}; }

}  // namespace mirt
