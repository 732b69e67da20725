// tests/backends/cuda/test_ops_index.cpp — GroupNormalization, RMSNormalization, DepthToSpace,
// SpaceToDepth, Trilu, OneHot, GatherND, ScatterND, ScatterElements, Einsum and RotaryEmbedding of the cuda backend against
// the cpu backend (float32: relative tolerance 1e-4; integer and bool outputs bit-exact), the
// refusals of what the cuda kernels do not compute, and the out-of-range index checks that
// MIRT_CUDA_CHECK_INDICES turns on. Each case skips itself without a GPU.
#include <doctest/doctest.h>

#include <cstdlib>

#include "tests/backends/cuda/harness.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, I64 = MIRT_DTYPE_INT64, I32 = MIRT_DTYPE_INT32, BOOL = MIRT_DTYPE_BOOL;

op_call group_norm(shape_t x, int64_t groups, int64_t affine, uint32_t seed, std::vector<attr> extra = {}) {
  extra.push_back(attr_i("num_groups", groups));
  return op_call{"GroupNormalization", {rand_f32(x, seed, -3, 2), rand_f32({affine}, seed + 1), rand_f32({affine}, seed + 2)}, {{F32, x}},
                 std::move(extra)};
}

std::vector<int64_t> iota64(int64_t n, int64_t from = 0) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[size_t(i)] = from + i;
  return v;
}

void check_refused(const op_call& call, const std::string& what) {
  const op_result r = run_cuda(call);
  INFO("cuda backend: ", r.message);
  CHECK(r.code != MIRT_STATUS_OK);
  CHECK(r.message.find(what) != std::string::npos);
}
}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("GroupNormalization (per-channel and per-group affine, 3-D to 5-D, large groups) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu(group_norm({2, 8, 5, 7}, 4, 8, 1));                                   // opset 21: per channel
  compare_with_cpu(group_norm({2, 8, 5, 7}, 4, 4, 4, {attr_f("epsilon", 1e-3f)}));      // opset 18: per group
  compare_with_cpu(group_norm({3, 6, 10}, 1, 6, 7));                                     // one group: LayerNorm over C x L
  compare_with_cpu(group_norm({1, 6, 2, 3, 4}, 6, 6, 10));                               // a group per channel
  compare_with_cpu(group_norm({1, 64, 32, 32}, 32, 64, 13));                             // a diffusion UNet block's shape
  compare_with_cpu(group_norm({2, 4, 1}, 2, 4, 16));                                     // one value per channel
}

TEST_CASE("RMSNormalization (axis, scale broadcast as a suffix, short and long rows) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"RMSNormalization", {rand_f32({3, 5, 64}, 20, -2, 2), rand_f32({64}, 21)}, {{F32, {3, 5, 64}}}});
  compare_with_cpu({"RMSNormalization", {rand_f32({3, 5, 64}, 22, -2, 2), rand_f32({5, 64}, 23)}, {{F32, {3, 5, 64}}}, {attr_i("axis", 1)}});
  compare_with_cpu({"RMSNormalization", {rand_f32({3, 5, 64}, 24, -2, 2), rand_f32({1, 64}, 25)}, {{F32, {3, 5, 64}}},
                    {attr_i("axis", -2), attr_f("epsilon", 1e-2f)}});
  compare_with_cpu({"RMSNormalization", {rand_f32({2, 4097}, 26, -2, 2), rand_f32({4097}, 27)}, {{F32, {2, 4097}}}});
  compare_with_cpu({"RMSNormalization", {rand_f32({7, 3}, 28, -2, 2), rand_f32({3}, 29)}, {{F32, {7, 3}}}});
  // A scale that repeats along the leading normalized dim is not a suffix: refused with the shapes.
  check_refused({"RMSNormalization", {rand_f32({3, 5, 4}, 30), rand_f32({5, 1}, 31)}, {{F32, {3, 5, 4}}}, {attr_i("axis", 1)}}, "suffix");
}

TEST_CASE("DepthToSpace (DCR, CRD) and SpaceToDepth on float32, int64 and bool match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const char* mode : {"DCR", "CRD"}) {
    CAPTURE(mode);
    compare_with_cpu({"DepthToSpace", {rand_f32({2, 12, 3, 5}, 40)}, {{F32, {2, 3, 6, 10}}}, {attr_i("blocksize", 2), attr_s("mode", mode)}});
    compare_with_cpu({"DepthToSpace", {i64({1, 9, 2, 2}, iota64(36))}, {{I64, {1, 1, 6, 6}}}, {attr_i("blocksize", 3), attr_s("mode", mode)}});
  }
  compare_with_cpu({"SpaceToDepth", {rand_f32({2, 3, 6, 10}, 41)}, {{F32, {2, 12, 3, 5}}}, {attr_i("blocksize", 2)}});
  std::vector<uint8_t> bits(2 * 2 * 6 * 6);
  for (size_t i = 0; i < bits.size(); ++i) bits[i] = uint8_t(i * 7 % 3 == 0);
  compare_with_cpu({"SpaceToDepth", {boolean({2, 2, 6, 6}, bits)}, {{BOOL, {2, 18, 2, 2}}}, {attr_i("blocksize", 3)}});
}

TEST_CASE("Trilu (upper and lower, k constant, at run time or absent, batches, int64) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (int64_t upper : {0, 1})
    for (int64_t k : {-2, 0, 1, 7}) {
      CAPTURE(upper);
      CAPTURE(k);
      compare_with_cpu({"Trilu", {rand_f32({2, 3, 5, 6}, 50), i64({}, {k}, true)}, {{F32, {2, 3, 5, 6}}}, {attr_i("upper", upper)}});
    }
  compare_with_cpu({"Trilu", {rand_f32({6, 4}, 51)}, {{F32, {6, 4}}}, {attr_i("upper", 0)}});
  compare_with_cpu({"Trilu", {i64({3, 4}, iota64(12, 1)), i64({}, {-1})}, {{I64, {3, 4}}}});
}

TEST_CASE("OneHot (axes, negative and out-of-range indices, int32/int64/float32 indices) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data depth = i64({}, {5}, true), values = f32({2}, {-0.5f, 3.f});
  const tensor_data idx = i64({2, 3}, {0, 4, -1, -5, 5, 2});
  compare_with_cpu({"OneHot", {idx, depth, values}, {{F32, {2, 3, 5}}}});
  compare_with_cpu({"OneHot", {idx, depth, values}, {{F32, {5, 2, 3}}}, {attr_i("axis", 0)}});
  compare_with_cpu({"OneHot", {idx, depth, i64({2}, {0, 1})}, {{I64, {2, 5, 3}}}, {attr_i("axis", 1)}});
  compare_with_cpu({"OneHot", {i32({4}, {3, 0, -2, 9}), depth, values}, {{F32, {4, 5}}}});
  compare_with_cpu({"OneHot", {f32({3}, {1.7f, -1.2f, 4.f}), f32({}, {5}, true), values}, {{F32, {3, 5}}}});
}

TEST_CASE("GatherND (element and slice tuples, batch_dims, negative and int32 indices) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"GatherND", {rand_f32({3, 4, 5}, 60), i64({2, 3}, {0, 1, 2, 2, -1, 4})}, {{F32, {2}}}});
  compare_with_cpu({"GatherND", {rand_f32({3, 4, 5}, 61), i64({2, 2, 1}, {2, 0, 1, -3})}, {{F32, {2, 2, 4, 5}}}});
  compare_with_cpu({"GatherND", {rand_f32({3, 4, 5}, 62), i32({3, 2}, {0, 3, 2, 1, 1, 0})}, {{F32, {3, 5}}}});
  compare_with_cpu({"GatherND", {rand_f32({2, 4, 5}, 63), i64({2, 3, 1}, {3, 0, 1, 2, 2, -1})}, {{F32, {2, 3, 5}}}, {attr_i("batch_dims", 1)}});
  compare_with_cpu({"GatherND", {i64({2, 3, 4}, iota64(24)), i64({2, 2}, {1, 3, 2, 0})}, {{I64, {2}}}, {attr_i("batch_dims", 1)}});
}

TEST_CASE("ScatterND (none on float32 and int64; integer add/mul and float max/min with duplicate indices) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"ScatterND", {rand_f32({4, 5, 6}, 70), i64({2, 1}, {3, -4}), rand_f32({2, 5, 6}, 71)}, {{F32, {4, 5, 6}}}});
  compare_with_cpu({"ScatterND", {rand_f32({4, 5}, 72), i64({3, 2}, {0, 0, 3, 4, 2, 1}), rand_f32({3}, 73)}, {{F32, {4, 5}}}});
  compare_with_cpu({"ScatterND", {i64({4, 3}, iota64(12)), i64({2, 1}, {1, 2}), i64({2, 3}, iota64(6, 100))}, {{I64, {4, 3}}}});
  // Duplicate tuples: the reductions combine every update whatever the order.
  const tensor_data dup = i64({4, 1}, {1, 3, 1, 1});
  compare_with_cpu({"ScatterND", {i64({4, 3}, iota64(12)), dup, i64({4, 3}, iota64(12, -5))}, {{I64, {4, 3}}}, {attr_s("reduction", "add")}});
  compare_with_cpu({"ScatterND", {i32({4, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}), dup, i32({4, 3}, {2, -1, 3, 2, 2, 2, -3, 5, 1, 1, 1, 2})},
                    {{I32, {4, 3}}}, {attr_s("reduction", "mul")}});
  for (const char* r : {"max", "min"}) {
    CAPTURE(r);
    compare_with_cpu({"ScatterND", {rand_f32({4, 3}, 74), dup, rand_f32({4, 3}, 75, -2, 2)}, {{F32, {4, 3}}}, {attr_s("reduction", r)}});
    compare_with_cpu({"ScatterND", {i64({4, 3}, iota64(12)), dup, i64({4, 3}, iota64(12, -4))}, {{I64, {4, 3}}}, {attr_s("reduction", r)}});
  }
  // A float sum over duplicates depends on the order of the atomics: refused with the reason.
  check_refused({"ScatterND", {rand_f32({4, 3}, 76), dup, rand_f32({4, 3}, 77)}, {{F32, {4, 3}}}, {attr_s("reduction", "add")}}, "order");
}

TEST_CASE("ScatterElements (axes, negative and int32 indices, reductions with duplicates) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"ScatterElements", {rand_f32({3, 4}, 80), i64({2, 4}, {0, 2, -1, 1, 2, 0, 1, 0}), rand_f32({2, 4}, 81)}, {{F32, {3, 4}}}});
  compare_with_cpu({"ScatterElements", {rand_f32({3, 5}, 82), i32({3, 2}, {4, 0, 1, -2, 2, 3}), rand_f32({3, 2}, 83)}, {{F32, {3, 5}}},
                    {attr_i("axis", 1)}});
  compare_with_cpu({"ScatterElements", {i64({2, 2, 3}, iota64(12)), i64({2, 1, 3}, {1, 0, 1, 0, 0, 1}), i64({2, 1, 3}, iota64(6, 50))},
                    {{I64, {2, 2, 3}}}, {attr_i("axis", 1)}});
  const tensor_data dup = i64({2, 4}, {1, 1, 1, 1, 1, 2, 1, 0});
  compare_with_cpu({"ScatterElements", {i64({3, 4}, iota64(12)), dup, i64({2, 4}, iota64(8, -3))}, {{I64, {3, 4}}}, {attr_i("axis", 1),
                    attr_s("reduction", "add")}});
  compare_with_cpu({"ScatterElements", {rand_f32({3, 4}, 84), dup, rand_f32({2, 4}, 85, -2, 2)}, {{F32, {3, 4}}}, {attr_i("axis", 1),
                    attr_s("reduction", "max")}});
  compare_with_cpu({"ScatterElements", {rand_f32({3, 4}, 86), dup, rand_f32({2, 4}, 87, -2, 2)}, {{F32, {3, 4}}}, {attr_s("reduction", "min")}});
  check_refused({"ScatterElements", {rand_f32({3, 4}, 88), dup, rand_f32({2, 4}, 89)}, {{F32, {3, 4}}}, {attr_s("reduction", "mul")}}, "order");
}

TEST_CASE("Einsum with two operands (matmul, batched, attention forms, outer and dot products, permuted operands and output) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const auto einsum = [](const char* eq, shape_t a, shape_t b, shape_t out, uint32_t seed) {
    CAPTURE(eq);
    compare_with_cpu({"Einsum", {rand_f32(a, seed), rand_f32(b, seed + 1)}, {{F32, out}}, {attr_s("equation", eq)}});
  };
  einsum("ij,jk->ik", {5, 7}, {7, 3}, {5, 3}, 90);
  einsum("bij,bjk->bik", {4, 5, 7}, {4, 7, 3}, {4, 5, 3}, 92);
  einsum("bhid,bhjd->bhij", {2, 3, 6, 16}, {2, 3, 5, 16}, {2, 3, 6, 5}, 94);  // Q K^T: B read transposed
  einsum("bhij,bhjd->bhid", {2, 3, 6, 5}, {2, 3, 5, 16}, {2, 3, 6, 16}, 96);
  einsum("ij,kj", {4, 6}, {5, 6}, {4, 5}, 98);                               // implicit output "ik"
  einsum("abc,cd->abd", {2, 3, 4}, {4, 5}, {2, 3, 5}, 100);
  einsum("ikj,jk->ij", {3, 4, 5}, {5, 4}, {3, 5}, 102);                     // j a batch label: A copied, the product permuted
  einsum("bij,bjk->bki", {2, 5, 7}, {2, 7, 3}, {2, 3, 5}, 104);             // the product permuted into the output
  einsum("jbi,bjk->bik", {7, 2, 5}, {2, 7, 3}, {2, 5, 3}, 106);             // A copied to (batch, M, K)
  einsum("i,j->ij", {5}, {4}, {5, 4}, 108);
  einsum("i,i->", {9}, {9}, {}, 110);
  const auto refused = [](const char* eq, std::vector<tensor_data> in, shape_t out, const char* why) {
    check_refused({"Einsum", std::move(in), {{F32, out}}, {attr_s("equation", eq)}}, why);
  };
  refused("ii,ij->ij", {rand_f32({3, 3}, 1), rand_f32({3, 4}, 2)}, {3, 4}, "repeats within a term");
  refused("...ij,...jk->...ik", {rand_f32({2, 3, 4}, 3), rand_f32({2, 4, 5}, 4)}, {2, 3, 5}, "'...'");
  refused("ij,jk,kl->il", {rand_f32({2, 3}, 5), rand_f32({3, 4}, 6), rand_f32({4, 5}, 7)}, {2, 5}, "two operands");
  refused("ij,kl->ij", {rand_f32({2, 3}, 8), rand_f32({4, 5}, 9)}, {2, 3}, "summed within one operand");
}

TEST_CASE("RotaryEmbedding (4-D and 3-D, halves and interleaved, partial rotary dims, with and without position_ids) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (int64_t interleaved : {0, 1}) {
    CAPTURE(interleaved);
    compare_with_cpu({"RotaryEmbedding", {rand_f32({2, 3, 5, 8}, 120), rand_f32({10, 4}, 121), rand_f32({10, 4}, 122),
                                          i64({2, 5}, {0, 1, 2, 3, 4, 9, 7, 5, 3, 1})},
                      {{F32, {2, 3, 5, 8}}}, {attr_i("interleaved", interleaved)}});
    compare_with_cpu({"RotaryEmbedding", {rand_f32({2, 5, 24}, 123), rand_f32({12, 2}, 124), rand_f32({12, 2}, 125),
                                          i32({2, 5}, {11, 0, 3, 3, 6, 1, 2, 8, 9, 10})},
                      {{F32, {2, 5, 24}}}, {attr_i("interleaved", interleaved), attr_i("num_heads", 3), attr_i("rotary_embedding_dim", 4)}});
  }
  compare_with_cpu({"RotaryEmbedding", {rand_f32({2, 3, 5, 8}, 126), rand_f32({2, 5, 4}, 127), rand_f32({2, 5, 4}, 128)}, {{F32, {2, 3, 5, 8}}}});
}

// Sets MIRT_CUDA_CHECK_INDICES for the kernels created in its lifetime.
struct index_checks_on {
  index_checks_on() { setenv("MIRT_CUDA_CHECK_INDICES", "1", 1); }
  ~index_checks_on() { unsetenv("MIRT_CUDA_CHECK_INDICES"); }
};

TEST_CASE("out-of-range indices: skipped by default; with MIRT_CUDA_CHECK_INDICES=1 Gather, GatherElements, GatherND, ScatterND and ScatterElements fail naming the layer, the first bad index and its position") {
  CUDA_TEST_REQUIRE_GPU();
  struct bad_case {
    op_call call;
    const char* message;
  };
  const std::vector<bad_case> cases = {
      {{"Gather", {rand_f32({5, 3}, 140), i64({4}, {1, 9, 0, -7})}, {{F32, {4, 3}}}, {}, "decoder/embed"},
       "index 9 at position 1 is out of range for axis 0 of extent 5"},
      {{"Gather", {rand_f32({2, 4}, 141), i32({3}, {3, -5, 1})}, {{F32, {2, 3}}}, {attr_i("axis", 1)}, "decoder/gather32"},
       "index -5 at position 1 is out of range for axis 1 of extent 4"},
      {{"Gather", {rand_f32({6, 128}, 152), i64({3}, {2, 5, 6})}, {{F32, {3, 128}}}, {}, "decoder/embed_rows"},  // rows of vectors
       "index 6 at position 2 is out of range for axis 0 of extent 6"},
      {{"GatherElements", {rand_f32({3, 4}, 142), i64({2, 4}, {0, 1, 2, 1, 2, 3, 0, 1})}, {{F32, {2, 4}}}, {}, "head/pick"},
       "index 3 at position 5 is out of range for axis 0 of extent 3"},
      {{"GatherND", {rand_f32({3, 4, 2}, 143), i64({3, 2}, {0, 1, 2, 4, 1, 1})}, {{F32, {3, 2}}}, {}, "head/gather_nd"},
       "index 4 at position 3 (tuple 1, entry 1) is out of range for axis 1 of extent 4"},
      {{"ScatterND", {rand_f32({4, 3}, 144), i64({2, 1}, {3, -6}), rand_f32({2, 3}, 145)}, {{F32, {4, 3}}}, {}, "cache/update"},
       "index -6 at position 1 (tuple 1, entry 0) is out of range for axis 0 of extent 4"},
      {{"ScatterElements", {rand_f32({3, 4}, 146), i64({1, 3}, {0, 4, 1}), rand_f32({1, 3}, 147)}, {{F32, {3, 4}}}, {attr_i("axis", 1)},
        "cache/scatter"},
       "index 4 at position 1 is out of range for axis 1 of extent 4"},
  };
  for (const bad_case& c : cases) {
    CAPTURE(c.call.name);
    const op_result quiet = run_cuda(c.call);  // checks off: no error, no fault (memcheck runs this too)
    CHECK(quiet.code == MIRT_STATUS_OK);
    const op_result cpu = run_cpu(c.call);
    CHECK(cpu.code == MIRT_STATUS_INVALID_ARGUMENT);
    index_checks_on on;
    const op_result checked = run_cuda(c.call);
    INFO("cuda backend: ", checked.message);
    CHECK(checked.code == MIRT_STATUS_INVALID_ARGUMENT);
    CHECK(checked.message.find(c.call.name) != std::string::npos);
    CHECK(checked.message.find(c.message) != std::string::npos);
  }
  // In-range indices pass the checks and give the cpu backend's values.
  index_checks_on on;
  compare_with_cpu({"Gather", {rand_f32({5, 3}, 148), i64({4}, {1, 4, 0, -5})}, {{F32, {4, 3}}}});
  compare_with_cpu({"GatherND", {rand_f32({3, 4, 2}, 149), i64({2, 2}, {2, 3, -1, 0})}, {{F32, {2, 2}}}});
  // (distinct columns: with reduction none, duplicates would leave an order-dependent winner)
  compare_with_cpu({"ScatterElements", {rand_f32({3, 4}, 150), i64({1, 3}, {0, 3, -3}), rand_f32({1, 3}, 151)}, {{F32, {3, 4}}}, {attr_i("axis", 1)}});
}

}  // TEST_SUITE
