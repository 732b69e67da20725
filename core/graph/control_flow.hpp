// core/graph/control_flow.hpp — what If, Loop and Scan layers have in common: their bodies, the
// inputs those bodies take, structural checks and inference through a body (docs/control-flow.md).
#pragma once

#include <string_view>
#include <vector>

#include "core/graph/graph.hpp"
#include "core/graph/op_schema.hpp"

namespace mirt {

// Whether n is a standard If, Loop or Scan layer (one that carries bodies).
bool is_control_flow(const node& n);
// n's body for attribute (e.g. "then_branch"), or nullptr.
const subgraph* find_body(const node& n, std::string_view attribute);
// n's own inputs: all but the trailing outer-scope values its bodies read.
size_t formal_input_count(const node& n);
// Loop: the loop-carried value count N (formal inputs are M, cond, v_1..v_N).
size_t loop_carried_count(const node& n);

// Checks the bodies n needs are there, with input and output counts that fit the op and n's own
// input and output counts. Errors name the layer, the body and both counts.
status check_bodies(const node& n);

// A copy of body s whose inputs (formal then captured) have the given types, as declared types.
graph typed_body(const subgraph& s, const std::vector<tensor_type>& inputs);
// The types of body s's outputs when its inputs have the given types; errors name layer n and the body.
result<std::vector<tensor_type>> infer_body(const node& n, const subgraph& s, const std::vector<tensor_type>& inputs);

}  // namespace mirt
