// core/graph/schemas/recurrent.cpp — schemas of the recurrent layers RNN, GRU and LSTM: inputs
// X [seq, batch, input] (layout 1: [batch, seq, input]), W [dirs, gates*hidden, input],
// R [dirs, gates*hidden, hidden] and optional B, sequence_lens, initial_h (initial_c, P for LSTM);
// outputs Y [seq, dirs, batch, hidden] (layout 1: [batch, seq, dirs, hidden]) and the last states
// Y_h (Y_c) [dirs, batch, hidden] (layout 1: [batch, dirs, hidden]).
#include <algorithm>
#include <cctype>

#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

struct recurrent_kind {
  const char* op;
  int64_t gates;        // weight blocks per direction: RNN 1, GRU 3, LSTM 4
  size_t activations;   // activation functions per direction: RNN 1, GRU 2, LSTM 3
  int max_inputs;       // RNN/GRU 6, LSTM 8
  int max_outputs;      // RNN/GRU 2, LSTM 3
};

constexpr recurrent_kind rnn{"RNN", 1, 1, 6, 2};
constexpr recurrent_kind gru{"GRU", 3, 2, 6, 2};
constexpr recurrent_kind lstm{"LSTM", 4, 3, 8, 3};

// Fails unless dimension `axis` of input i is unknown or equals want; names the input and what it holds.
status check_dim(const infer_context& ctx, size_t i, const char* name, size_t axis, const dim& want, const char* what) {
  const dim& got = ctx.input(i).shape[axis];
  if (got.known() && want.known() && got.value != want.value)
    return ctx.error("input ", i, " (", name, ") has shape ", to_string(ctx.input(i).shape), ": dim ", axis, " is ",
                     got.value, ", expected ", want.value, " (", what, ")");
  return {};
}

// Fails unless input i (when present) has the float dtype of X and the given rank.
status check_float_input(const infer_context& ctx, size_t i, const char* name, size_t rank) {
  if (!ctx.has_input(i)) return {};
  const tensor_type& t = ctx.input(i);
  if (t.dtype != ctx.input(0).dtype)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " (", name, ") is ", mirt_dtype_name(t.dtype),
                          ", expected ", mirt_dtype_name(ctx.input(0).dtype), " as X");
  if (t.rank() != rank) return ctx.error("input ", i, " (", name, ") has rank ", t.rank(), ", expected ", rank);
  return {};
}

const char* const known_activations[] = {"relu",      "tanh",       "sigmoid",     "affine",   "leakyrelu", "thresholdedrelu",
                                         "scaledtanh", "hardsigmoid", "elu",        "softsign", "softplus"};

status check_activations(const infer_context& ctx, const recurrent_kind& kind, int64_t directions) {
  const attribute* a = ctx.attrs().find("activations");
  if (!a) return {};
  const size_t n = a->strings.size();
  if (n != kind.activations && n != kind.activations * size_t(directions))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'activations' has ", n, " entries, expected ",
                          kind.activations, " per direction (", directions, " direction(s))");
  for (const std::string& name : a->strings) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (std::find(std::begin(known_activations), std::end(known_activations), lower) == std::end(known_activations))
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'activations' names '", name,
                            "', expected Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, "
                            "HardSigmoid, Elu, Softsign or Softplus");
  }
  return {};
}

status infer_recurrent(infer_context& ctx, const recurrent_kind& kind) {
  const tensor_type& x = ctx.input(0);
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (X) is ", mirt_dtype_name(x.dtype), ", expected a float type");
  if (x.rank() != 3) return ctx.error("input 0 (X) has rank ", x.rank(), ", expected 3");
  const std::string direction = ctx.attrs().get_string("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'direction' is '", direction,
                          "', expected forward, reverse or bidirectional");
  const int64_t layout = ctx.attrs().get_int("layout", 0);
  if (layout != 0 && layout != 1)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'layout' is ", layout, ", expected 0 or 1");
  const int64_t directions = direction == "bidirectional" ? 2 : 1;
  MIRT_RETURN_IF_ERROR(check_activations(ctx, kind, directions));
  if (ctx.attrs().find("clip") && !(ctx.attrs().get_float("clip", 0) > 0))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'clip' is ", ctx.attrs().get_float("clip", 0),
                          ", expected a positive threshold");

  if (!ctx.has_input(1) || !ctx.has_input(2)) return ctx.error("inputs 1 (W) and 2 (R) are required");
  MIRT_RETURN_IF_ERROR(check_float_input(ctx, 1, "W", 3));
  MIRT_RETURN_IF_ERROR(check_float_input(ctx, 2, "R", 3));
  // hidden_size: the attribute, else R's last dim.
  dim hidden = ctx.input(2).shape[2];
  if (const attribute* h = ctx.attrs().find("hidden_size")) {
    if (h->ints.empty() || h->ints[0] <= 0)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'hidden_size' must be positive");
    hidden = dim{h->ints[0], {}};
  }
  const dim dirs{directions, {}};
  const dim gate_rows = hidden.known() ? dim{kind.gates * hidden.value, {}} : dim{};
  const dim& seq = x.shape[layout == 0 ? 0 : 1];
  const dim& batch = x.shape[layout == 0 ? 1 : 0];
  MIRT_RETURN_IF_ERROR(check_dim(ctx, 1, "W", 0, dirs, "directions"));
  MIRT_RETURN_IF_ERROR(check_dim(ctx, 1, "W", 1, gate_rows, "gates * hidden_size"));
  MIRT_RETURN_IF_ERROR(check_dim(ctx, 1, "W", 2, x.shape[2], "X's input size"));
  MIRT_RETURN_IF_ERROR(check_dim(ctx, 2, "R", 0, dirs, "directions"));
  MIRT_RETURN_IF_ERROR(check_dim(ctx, 2, "R", 1, gate_rows, "gates * hidden_size"));
  MIRT_RETURN_IF_ERROR(check_dim(ctx, 2, "R", 2, hidden, "hidden_size"));
  MIRT_RETURN_IF_ERROR(check_float_input(ctx, 3, "B", 2));
  if (ctx.has_input(3)) {
    MIRT_RETURN_IF_ERROR(check_dim(ctx, 3, "B", 0, dirs, "directions"));
    MIRT_RETURN_IF_ERROR(check_dim(ctx, 3, "B", 1, hidden.known() ? dim{2 * kind.gates * hidden.value, {}} : dim{},
                                   "2 * gates * hidden_size"));
  }
  if (ctx.has_input(4)) {
    MIRT_RETURN_IF_ERROR(require_index_input(ctx, 4, "sequence_lens"));
    MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 4, "sequence_lens"));
    MIRT_RETURN_IF_ERROR(check_dim(ctx, 4, "sequence_lens", 0, batch, "the batch size"));
  }
  // initial_h (and initial_c) have Y_h's shape.
  const dims state = layout == 0 ? dims{dirs, batch, hidden} : dims{batch, dirs, hidden};
  const char* const state_names[] = {"initial_h", "initial_c"};
  for (size_t i = 5; i <= (kind.max_inputs == 8 ? 6u : 5u); ++i) {
    MIRT_RETURN_IF_ERROR(check_float_input(ctx, i, state_names[i - 5], 3));
    if (ctx.has_input(i))
      for (size_t d = 0; d < 3; ++d)
        MIRT_RETURN_IF_ERROR(check_dim(ctx, i, state_names[i - 5], d, state[d], "the state shape [directions, batch, hidden] in layout 0, [batch, directions, hidden] in layout 1"));
  }
  if (kind.max_inputs == 8 && ctx.has_input(7)) {
    MIRT_RETURN_IF_ERROR(check_float_input(ctx, 7, "P", 2));
    MIRT_RETURN_IF_ERROR(check_dim(ctx, 7, "P", 0, dirs, "directions"));
    MIRT_RETURN_IF_ERROR(check_dim(ctx, 7, "P", 1, hidden.known() ? dim{3 * hidden.value, {}} : dim{}, "3 * hidden_size"));
  }

  const dims y = layout == 0 ? dims{seq, dirs, batch, hidden} : dims{batch, seq, dirs, hidden};
  for (size_t o = 0; o < ctx.num_outputs(); ++o)
    ctx.output(o) = tensor_type{x.dtype, o == 0 ? y : state, true, std::nullopt};
  return {};
}

std::vector<attribute_spec> recurrent_attributes(const recurrent_kind& kind) {
  std::vector<attribute_spec> a = {{"activation_alpha", MIRT_ATTRIBUTE_TYPE_FLOATS},
                                   {"activation_beta", MIRT_ATTRIBUTE_TYPE_FLOATS},
                                   {"activations", MIRT_ATTRIBUTE_TYPE_STRINGS},
                                   {"clip", MIRT_ATTRIBUTE_TYPE_FLOAT},
                                   {"direction", MIRT_ATTRIBUTE_TYPE_STRING},
                                   {"hidden_size", MIRT_ATTRIBUTE_TYPE_INT},
                                   {"layout", MIRT_ATTRIBUTE_TYPE_INT}};
  if (kind.gates == 3) a.push_back({"linear_before_reset", MIRT_ATTRIBUTE_TYPE_INT});
  if (kind.gates == 4) a.push_back({"input_forget", MIRT_ATTRIBUTE_TYPE_INT});
  return a;
}

}  // namespace

void add_recurrent_schemas(schema_table& table) {
  for (const recurrent_kind* kind : {&rnn, &gru, &lstm})
    table.add(make_schema(kind->op, 3, kind->max_inputs, 1, kind->max_outputs, recurrent_attributes(*kind),
                          [kind](infer_context& ctx) { return infer_recurrent(ctx, *kind); }));
}

}  // namespace mirt
