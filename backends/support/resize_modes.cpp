// backends/support/resize_modes.cpp — reads Resize's attributes into resize_modes, naming an
// unknown value.
#include "backends/support/resize_modes.hpp"

#include <utility>

namespace mirt::support {
namespace {

template <class E>
E pick(const node_view& node, const char* name, const char* fallback, std::initializer_list<std::pair<const char*, E>> options) {
  const std::string v = node.attr_string(name, fallback);
  for (const auto& [n, e] : options)
    if (v == n) return e;
  fail(MIRT_STATUS_INVALID_GRAPH, "attribute '", name, "' has the unknown value '", v, "'");
}

}  // namespace

resize_modes read_resize_modes(const node_view& node) {
  resize_modes m;
  m.mode = pick<resize_interp>(node, "mode", "nearest",
                               {{"nearest", resize_interp::nearest}, {"linear", resize_interp::linear}, {"cubic", resize_interp::cubic}});
  m.transform = pick<resize_coord>(node, "coordinate_transformation_mode", "half_pixel",
                                   {{"half_pixel", resize_coord::half_pixel},
                                    {"half_pixel_symmetric", resize_coord::half_pixel_symmetric},
                                    {"pytorch_half_pixel", resize_coord::pytorch_half_pixel},
                                    {"align_corners", resize_coord::align_corners},
                                    {"asymmetric", resize_coord::asymmetric},
                                    {"tf_crop_and_resize", resize_coord::tf_crop_and_resize},
                                    {"tf_half_pixel_for_nn", resize_coord::tf_half_pixel_for_nn}});
  m.rule = pick<resize_nearest>(node, "nearest_mode", "round_prefer_floor",
                                {{"round_prefer_floor", resize_nearest::round_prefer_floor},
                                 {"round_prefer_ceil", resize_nearest::round_prefer_ceil},
                                 {"floor", resize_nearest::floor},
                                 {"ceil", resize_nearest::ceil}});
  m.policy = pick<resize_aspect>(node, "keep_aspect_ratio_policy", "stretch",
                                 {{"stretch", resize_aspect::stretch},
                                  {"not_larger", resize_aspect::not_larger},
                                  {"not_smaller", resize_aspect::not_smaller}});
  m.antialias = node.attr_int("antialias", 0) != 0;
  if (m.antialias && m.mode == resize_interp::nearest) fail(MIRT_STATUS_INVALID_GRAPH, "antialias=1 needs mode linear or cubic");
  m.exclude_outside = node.attr_int("exclude_outside", 0) != 0;
  m.cubic_a = node.attr_float("cubic_coeff_a", -0.75f);
  m.extrapolation = node.attr_float("extrapolation_value", 0.0f);
  return m;
}

}  // namespace mirt::support
