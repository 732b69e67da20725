// backends/support/recurrent.cpp — reading an RNN, GRU or LSTM node's attributes.
#include "backends/support/recurrent.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "backends/support/host.hpp"

namespace mirt::support {
namespace {

std::vector<std::string> attr_strings(const node_view& node, std::string_view name) {
  std::vector<std::string> out;
  if (const mirt_attribute* a = node.find(name); a && a->strings)
    for (size_t i = 0; i < a->count; ++i) out.emplace_back(view_of(a->strings[i]));
  return out;
}

std::vector<float> attr_floats(const node_view& node, std::string_view name) {
  if (const mirt_attribute* a = node.find(name); a && a->floats) return std::vector<float>(a->floats, a->floats + a->count);
  return {};
}

// The functions of `names` (case-insensitive) in order; functions that take an alpha (beta) take
// the next unused entry of alphas (betas), or their ONNX default when the list is used up.
std::vector<recurrent_activation> parse_activations(const std::vector<std::string>& names, const std::vector<float>& alphas,
                                                    const std::vector<float>& betas) {
  using k = recurrent_activation;
  struct entry {
    const char* name;
    k::kind_t kind;
    bool has_alpha, has_beta;
    float alpha, beta;  // defaults
  };
  static const entry table[] = {
      {"relu", k::relu, false, false, 0, 0},
      {"tanh", k::tanh_, false, false, 0, 0},
      {"sigmoid", k::sigmoid, false, false, 0, 0},
      {"affine", k::affine, true, true, 1, 0},
      {"leakyrelu", k::leaky_relu, true, false, 0.01f, 0},
      {"thresholdedrelu", k::thresholded_relu, true, false, 1, 0},
      {"scaledtanh", k::scaled_tanh, true, true, 1, 1},
      {"hardsigmoid", k::hard_sigmoid, true, true, 0.2f, 0.5f},
      {"elu", k::elu, true, false, 1, 0},
      {"softsign", k::softsign, false, false, 0, 0},
      {"softplus", k::softplus, false, false, 0, 0},
  };
  std::vector<recurrent_activation> out;
  size_t next_alpha = 0, next_beta = 0;
  for (const std::string& name : names) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    const entry* e = nullptr;
    for (const entry& candidate : table)
      if (lower == candidate.name) e = &candidate;
    if (!e) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'activations' names '", name, "', which is not an RNN activation");
    recurrent_activation a{e->kind, e->alpha, e->beta};
    if (e->has_alpha && next_alpha < alphas.size()) a.alpha = alphas[next_alpha++];
    if (e->has_beta && next_beta < betas.size()) a.beta = betas[next_beta++];
    out.push_back(a);
  }
  return out;
}

}  // namespace

recurrent_config read_recurrent_config(const node_view& node, recurrent_cell cell) {
  recurrent_config c;
  c.cell = cell;
  const std::string direction = node.attr_string("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'direction' is '", direction, "', expected forward, reverse or bidirectional");
  c.directions = direction == "bidirectional" ? 2 : 1;
  c.reverse_only = direction == "reverse";
  c.layout = node.attr_int("layout", 0);
  if (c.layout != 0 && c.layout != 1) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'layout' is ", c.layout, ", expected 0 or 1");
  c.clip = node.has_attr("clip") ? node.attr_float("clip", 0) : 0;
  c.linear_before_reset = node.attr_int("linear_before_reset", 0) != 0;
  c.input_forget = node.attr_int("input_forget", 0) != 0;
  const mirt_tensor_desc& r = node.input(2);
  c.hidden = node.attr_int("hidden_size", r.rank == 3 ? r.dims[2] : -1);
  if (c.hidden <= 0) fail(MIRT_STATUS_INVALID_GRAPH, "hidden_size is not known (no attribute, and R's shape is dynamic)");

  std::vector<std::string> names = attr_strings(node, "activations");
  const size_t per_direction = cell == recurrent_cell::rnn ? 1 : cell == recurrent_cell::gru ? 2 : 3;
  if (names.empty()) {
    names = cell == recurrent_cell::rnn   ? std::vector<std::string>{"Tanh"}
            : cell == recurrent_cell::gru ? std::vector<std::string>{"Sigmoid", "Tanh"}
                                          : std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"};
  }
  // One direction's list serves both directions of a bidirectional layer.
  if (names.size() == per_direction && c.directions == 2) {
    const std::vector<std::string> one = names;
    names.insert(names.end(), one.begin(), one.end());
  }
  if (names.size() != per_direction * size_t(c.directions))
    fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'activations' has ", names.size(), " entries, expected ", per_direction,
         " per direction");
  const std::vector<recurrent_activation> all =
      parse_activations(names, attr_floats(node, "activation_alpha"), attr_floats(node, "activation_beta"));
  for (int64_t d = 0; d < c.directions; ++d)
    c.activations.emplace_back(all.begin() + d * int64_t(per_direction), all.begin() + (d + 1) * int64_t(per_direction));
  return c;
}

}  // namespace mirt::support
