// core/abi/body_api.hpp — helpers of mirt_network_add_layer for control-flow bodies.
#pragma once

#include "core/abi/handles.hpp"

namespace mirt {

// The index in network of input tensor t: t itself when it belongs to network, else (t belongs to
// a parent of the body `network`) the body's capture of it, made on first use in every body between.
result<int> resolve_input(mirt_network* network, const mirt_tensor* t);

// Copies desc's bodies into n and appends the union of their outer-scope values to n's inputs.
status attach_bodies(mirt_network* network, const mirt_layer_desc* desc, node& n);

}  // namespace mirt
