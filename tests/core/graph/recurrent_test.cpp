// tests/core/graph/recurrent_test.cpp — inference of RNN, GRU and LSTM: output shapes in both
// layouts and directions, hidden_size from R, and the errors for mismatched weights and states.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

namespace {

attribute attr_strings(const char* name, std::vector<std::string> v) {
  return {name, MIRT_ATTRIBUTE_TYPE_STRINGS, {}, {}, std::move(v)};
}

}  // namespace

TEST_SUITE("schemas") {

TEST_CASE("LSTM infers Y, Y_h and Y_c in layout 0 and 1, bidirectional") {
  // X [seq 7, batch b, input 3], 2 directions, hidden 5, 4 gates.
  auto r = infer("LSTM", {f32("7,b,3"), f32("2,20,3"), f32("2,20,5")},
                 {attr_int("hidden_size", 5), attr_string("direction", "bidirectional")}, 3);
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out(0).shape, "7,2,b,5"));
  CHECK(same_dims(r.out(1).shape, "2,b,5"));
  CHECK(same_dims(r.out(2).shape, "2,b,5"));
  auto batch_major = infer("LSTM", {f32("b,7,3"), f32("1,20,3"), f32("1,20,5")},
                           {attr_int("hidden_size", 5), attr_int("layout", 1)}, 2);
  REQUIRE_INFERRED(batch_major);
  CHECK(same_dims(batch_major.out(0).shape, "b,7,1,5"));
  CHECK(same_dims(batch_major.out(1).shape, "b,1,5"));
}

TEST_CASE("GRU and RNN take hidden_size from R when the attribute is absent") {
  auto gru = infer("GRU", {f32("4,2,3"), f32("1,18,3"), f32("1,18,6")}, {}, 2);
  REQUIRE_INFERRED(gru);
  CHECK(gru.shape(0) == "4x1x2x6");
  CHECK(gru.shape(1) == "1x2x6");
  auto rnn = infer("RNN", {f32("4,2,3"), f32("1,6,3"), f32("1,6,6"), omitted(), typed(MIRT_DTYPE_INT32, "2"), f32("1,2,6")},
                   {attr_string("direction", "reverse")}, 2);
  REQUIRE_INFERRED(rnn);
  CHECK(rnn.shape(1) == "1x2x6");
}

TEST_CASE("recurrent layers refuse weights, biases and states of the wrong shape, and bad attributes") {
  auto w = infer("GRU", {f32("4,2,3"), f32("1,12,3"), f32("1,18,6")}, {attr_int("hidden_size", 6)});
  CHECK_FAILS_WITH(w, MIRT_STATUS_INVALID_SHAPE, "input 1 (W) has shape 1x12x3: dim 1 is 12, expected 18");
  auto dirs = infer("RNN", {f32("4,2,3"), f32("1,6,3"), f32("1,6,6")}, {attr_string("direction", "bidirectional")});
  CHECK_FAILS_WITH(dirs, MIRT_STATUS_INVALID_SHAPE, "dim 0 is 1, expected 2 (directions)");
  auto input = infer("RNN", {f32("4,2,5"), f32("1,6,3"), f32("1,6,6")});
  CHECK_FAILS_WITH(input, MIRT_STATUS_INVALID_SHAPE, "expected 5 (X's input size)");
  auto bias = infer("LSTM", {f32("4,2,3"), f32("1,8,3"), f32("1,8,2"), f32("1,8")});
  CHECK_FAILS_WITH(bias, MIRT_STATUS_INVALID_SHAPE, "input 3 (B) has shape 1x8: dim 1 is 8, expected 16");
  auto state = infer("LSTM", {f32("4,2,3"), f32("1,8,3"), f32("1,8,2"), omitted(), omitted(), f32("1,3,2")});
  CHECK_FAILS_WITH(state, MIRT_STATUS_INVALID_SHAPE, "input 5 (initial_h) has shape 1x3x2: dim 1 is 3, expected 2");
  auto peep = infer("LSTM", {f32("4,2,3"), f32("1,8,3"), f32("1,8,2"), omitted(), omitted(), omitted(), omitted(), f32("1,4")});
  CHECK_FAILS_WITH(peep, MIRT_STATUS_INVALID_SHAPE, "input 7 (P) has shape 1x4: dim 1 is 4, expected 6");
  auto lens = infer("RNN", {f32("4,2,3"), f32("1,6,3"), f32("1,6,6"), omitted(), f32("2")});
  CHECK_FAILS_WITH(lens, MIRT_STATUS_INVALID_GRAPH, "input 4 (sequence_lens) is float32");
  auto acts = infer("GRU", {f32("4,2,3"), f32("1,18,3"), f32("1,18,6")}, {attr_strings("activations", {"Sigmoid"})});
  CHECK_FAILS_WITH(acts, MIRT_STATUS_INVALID_GRAPH, "has 1 entries, expected 2 per direction");
  auto name = infer("RNN", {f32("4,2,3"), f32("1,6,3"), f32("1,6,6")}, {attr_strings("activations", {"Swish"})});
  CHECK_FAILS_WITH(name, MIRT_STATUS_INVALID_GRAPH, "names 'Swish'");
  auto dir = infer("RNN", {f32("4,2,3"), f32("1,6,3"), f32("1,6,6")}, {attr_string("direction", "both")});
  CHECK_FAILS_WITH(dir, MIRT_STATUS_INVALID_GRAPH, "attribute 'direction' is 'both'");
  auto dtype = infer("RNN", {typed(MIRT_DTYPE_INT32, "4,2,3"), f32("1,6,3"), f32("1,6,6")});
  CHECK_FAILS_WITH(dtype, MIRT_STATUS_INVALID_GRAPH, "input 0 (X) is int32");
}

}  // TEST_SUITE
