// backends/support/recurrent.hpp — RNN, GRU and LSTM as their attributes describe them, read once
// for every backend: the cell, direction, layout, clip and flags, and each direction's activation
// functions with their alpha and beta (recurrent_activation.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "backends/support/node_view.hpp"
#include "backends/support/recurrent_activation.hpp"

namespace mirt::support {

struct recurrent_config {
  recurrent_cell cell = recurrent_cell::rnn;
  int64_t hidden = 0;
  int64_t directions = 1;
  bool reverse_only = false;  // direction "reverse": the one direction runs backwards
  int64_t layout = 0;         // 0: [steps, batch, ...]; 1: [batch, steps, ...]
  float clip = 0;             // 0: none
  bool linear_before_reset = false;
  bool input_forget = false;
  // Per direction, forward first: f (RNN); f, g (GRU); f, g, h (LSTM).
  std::vector<std::vector<recurrent_activation>> activations;
};

// The node's attributes read and checked (INVALID_GRAPH naming the attribute when wrong).
recurrent_config read_recurrent_config(const node_view& node, recurrent_cell cell);

}  // namespace mirt::support
