// tests/core/graph/affine_grid_test.cpp — inference of AffineGrid: 2-D and 3-D grids from known
// sizes, unknown extents otherwise, and theta/size mismatches.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("AffineGrid infers [N, H, W, 2] and [N, D, H, W, 3] from size, and refuses a mismatched theta") {
  auto two = infer("AffineGrid", {f32("2,2,3"), i64_values({2, 3, 5, 6})});
  REQUIRE_INFERRED(two);
  CHECK(two.shape() == "2x5x6x2");
  auto three = infer("AffineGrid", {f32("n,3,4"), i64_values({2, 3, 4, 5, 6})});
  REQUIRE_INFERRED(three);
  CHECK(three.shape() == "2x4x5x6x3");  // the batch comes from size when it is known
  auto unknown = infer("AffineGrid", {f32("n,2,3"), typed(MIRT_DTYPE_INT64, "4")});
  REQUIRE_INFERRED(unknown);
  CHECK(same_dims(unknown.out().shape, "n,?,?,2"));
  auto mismatch = infer("AffineGrid", {f32("2,2,3"), i64_values({2, 3, 4, 5, 6})});
  CHECK_FAILS_WITH(mismatch, MIRT_STATUS_INVALID_SHAPE, "expected [N, 3, 4] for 3-D sizes");
  auto batch = infer("AffineGrid", {f32("2,2,3"), i64_values({3, 3, 5, 6})});
  CHECK_FAILS_WITH(batch, MIRT_STATUS_INVALID_SHAPE, "size) has batch 3, theta has 2");
}

}  // TEST_SUITE
