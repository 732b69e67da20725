// backends/support/grid_taps.cpp — GridSample's attribute reader (grid_taps.hpp).
#include "backends/support/grid_taps.hpp"

#include <string>

#include "backends/support/host.hpp"

namespace mirt::support {

grid_sample_options read_grid_sample_options(const node_view& node) {
  const std::string mode = node.attr_string("mode", "linear"), padding = node.attr_string("padding_mode", "zeros");
  grid_sample_options o;
  if (mode == "nearest") o.mode = grid_mode::nearest;
  else if (mode == "linear" || mode == "bilinear") o.mode = grid_mode::linear;
  else if (mode == "cubic" || mode == "bicubic") o.mode = grid_mode::cubic;
  else fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is '", mode, "', expected nearest, linear or cubic");
  if (padding == "zeros") o.padding = grid_padding::zeros;
  else if (padding == "border") o.padding = grid_padding::border;
  else if (padding == "reflection") o.padding = grid_padding::reflection;
  else fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'padding_mode' is '", padding, "', expected zeros, border or reflection");
  o.align_corners = node.attr_int("align_corners", 0) != 0;
  return o;
}

}  // namespace mirt::support
