// tests/core/graph/conv_pool_test.cpp — inference of Conv, ConvTranspose and the pools.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("Conv keeps the symbolic batch and computes strided padded spatial dims") {
  auto r = infer("Conv", {f32("batch,3,224,224"), f32("64,3,7,7")},
                 {attr_ints("strides", {2, 2}), attr_ints("pads", {3, 3, 3, 3})});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,64,112,112"));
  CHECK(r.out().dtype == MIRT_DTYPE_FLOAT32);
}

TEST_CASE("Conv applies dilation, groups and asymmetric pads") {
  auto r = infer("Conv", {f32("1,32,20,21"), f32("64,8,3,3"), f32("64")},
                 {attr_int("group", 4), attr_ints("dilations", {2, 2}), attr_ints("pads", {1, 0, 2, 0})});
  REQUIRE_INFERRED(r);
  // H: 20 + 3 - 5 + 1 = 19; W: 21 - 5 + 1 = 17
  CHECK(r.shape() == "1x64x19x17");
}

TEST_CASE("Conv with auto_pad SAME_UPPER gives ceil(in / stride) and VALID drops the pads") {
  auto same = infer("Conv", {f32("1,3,15,16"), f32("8,3,3,3")},
                    {attr_string("auto_pad", "SAME_UPPER"), attr_ints("strides", {2, 2})});
  REQUIRE_INFERRED(same);
  CHECK(same.shape() == "1x8x8x8");
  auto valid = infer("Conv", {f32("1,3,15,16"), f32("8,3,3,3")},
                     {attr_string("auto_pad", "VALID"), attr_ints("strides", {2, 2})});
  REQUIRE_INFERRED(valid);
  CHECK(valid.shape() == "1x8x7x7");
}

TEST_CASE("Conv handles 1-D and 3-D inputs") {
  auto r1 = infer("Conv", {f32("2,4,10"), f32("6,4,3")});
  REQUIRE_INFERRED(r1);
  CHECK(r1.shape() == "2x6x8");
  auto r3 = infer("Conv", {f32("1,2,8,8,8"), f32("4,2,3,3,3")}, {attr_ints("pads", {1, 1, 1, 1, 1, 1})});
  REQUIRE_INFERRED(r3);
  CHECK(r3.shape() == "1x4x8x8x8");
}

TEST_CASE("Conv reports weights of the wrong rank naming the layer and the input") {
  auto r = infer("Conv", {f32("1,3,224,224"), f32("64,3,7")}, {}, 1, "stem/conv1");
  CHECK_FAILS_WITH(r, MIRT_STATUS_INVALID_SHAPE, "Conv 'stem/conv1': input 1 has rank 3, expected 4");
}

TEST_CASE("Conv reports a channel mismatch between input and weights") {
  auto r = infer("Conv", {f32("1,3,32,32"), f32("16,4,3,3")});
  CHECK_FAILS_WITH(r, MIRT_STATUS_INVALID_SHAPE, "input 0 has 3 channels, but input 1 (weights) expects 4");
}

TEST_CASE("Conv reports a bias of the wrong length and a kernel_shape that contradicts the weights") {
  auto bias = infer("Conv", {f32("1,3,32,32"), f32("16,3,3,3"), f32("8")});
  CHECK_FAILS_WITH(bias, MIRT_STATUS_INVALID_SHAPE, "input 2 (bias) has 8 elements, expected 16");
  auto kernel = infer("Conv", {f32("1,3,32,32"), f32("16,3,3,3")}, {attr_ints("kernel_shape", {5, 5})});
  CHECK_FAILS_WITH(kernel, MIRT_STATUS_INVALID_SHAPE, "kernel_shape");
}

TEST_CASE("Conv reports an input smaller than its window") {
  auto r = infer("Conv", {f32("1,3,2,2"), f32("16,3,3,3")});
  CHECK_FAILS_WITH(r, MIRT_STATUS_INVALID_SHAPE, "smaller than the window");
}

TEST_CASE("Conv leaves an unknown spatial dim unknown") {
  auto r = infer("Conv", {f32("n,3,h,32"), f32("16,3,3,3")});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "n,16,?,30"));
}

TEST_CASE("ConvTranspose computes stride*(in-1) + output_padding + kernel - pads") {
  auto r = infer("ConvTranspose", {f32("batch,16,8,8"), f32("16,4,3,3")},
                 {attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1}), attr_ints("output_padding", {1, 1}),
                  attr_int("group", 2)});
  REQUIRE_INFERRED(r);
  // 2*7 + 1 + 3 - 2 = 16 ; channels = 4 * 2 groups
  CHECK(same_dims(r.out().shape, "batch,8,16,16"));
}

TEST_CASE("ConvTranspose takes output_shape and auto_pad SAME as given") {
  auto shaped = infer("ConvTranspose", {f32("1,4,5,5"), f32("4,2,3,3")},
                      {attr_ints("strides", {2, 2}), attr_ints("output_shape", {10, 11})});
  REQUIRE_INFERRED(shaped);
  CHECK(shaped.shape() == "1x2x10x11");
  auto same = infer("ConvTranspose", {f32("1,4,5,5"), f32("4,2,3,3")},
                    {attr_ints("strides", {3, 3}), attr_string("auto_pad", "SAME_LOWER")});
  REQUIRE_INFERRED(same);
  CHECK(same.shape() == "1x2x15x15");
}

TEST_CASE("ConvTranspose reports an output_padding not below the stride") {
  auto r = infer("ConvTranspose", {f32("1,4,5,5"), f32("4,2,3,3")}, {attr_ints("output_padding", {1, 1})});
  CHECK_FAILS_WITH(r, MIRT_STATUS_INVALID_SHAPE, "output_padding");
}

TEST_CASE("MaxPool floors by default and ceil_mode drops a window starting in the end padding") {
  auto floor = infer("MaxPool", {f32("1,8,112,112")},
                     {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1})});
  REQUIRE_INFERRED(floor);
  CHECK(floor.shape() == "1x8x56x56");
  auto ceil = infer("MaxPool", {f32("1,8,6,5")},
                    {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2}), attr_int("ceil_mode", 1)});
  REQUIRE_INFERRED(ceil);
  CHECK(ceil.shape() == "1x8x3x3");
  auto edge = infer("MaxPool", {f32("1,1,5")},
                    {attr_ints("kernel_shape", {2}), attr_ints("strides", {2}), attr_ints("pads", {0, 1}),
                     attr_int("ceil_mode", 1)});
  REQUIRE_INFERRED(edge);
  // room = 5 + 1 - 2 = 4 -> ceil(4/2)+1 = 3; window 3 starts at 4 < 5: kept
  CHECK(edge.shape() == "1x1x3");
  auto dropped = infer("MaxPool", {f32("1,1,4")},
                       {attr_ints("kernel_shape", {2}), attr_ints("strides", {2}), attr_ints("pads", {0, 1}),
                        attr_int("ceil_mode", 1)});
  REQUIRE_INFERRED(dropped);
  // room = 4 + 1 - 2 = 3 -> ceil(3/2)+1 = 3; window 3 would start at 4, in the end padding: dropped
  CHECK(dropped.shape() == "1x1x2");
}

TEST_CASE("MaxPool with auto_pad ignores ceil_mode: VALID floors, SAME gives ceil(in / stride)") {
  auto valid = infer("MaxPool", {f32("1,1,5")},
                     {attr_ints("kernel_shape", {2}), attr_ints("strides", {2}), attr_string("auto_pad", "VALID"),
                      attr_int("ceil_mode", 1)});
  REQUIRE_INFERRED(valid);
  CHECK(valid.shape() == "1x1x2");
  auto same = infer("MaxPool", {f32("1,1,5")},
                    {attr_ints("kernel_shape", {3}), attr_ints("strides", {2}), attr_string("auto_pad", "SAME_UPPER")});
  REQUIRE_INFERRED(same);
  CHECK(same.shape() == "1x1x3");
}

TEST_CASE("MaxPool with an indices output gives int64 indices of the output's shape") {
  auto r = infer("MaxPool", {f32("batch,4,8,8")}, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})}, 2);
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out(1).shape, "batch,4,4,4"));
  CHECK(r.out(1).dtype == MIRT_DTYPE_INT64);
}

TEST_CASE("AveragePool needs kernel_shape and rejects an unknown auto_pad") {
  auto missing = infer("AveragePool", {f32("1,3,8,8")});
  CHECK_FAILS_WITH(missing, MIRT_STATUS_INVALID_GRAPH, "missing required attribute 'kernel_shape'");
  auto bad = infer("AveragePool", {f32("1,3,8,8")},
                   {attr_ints("kernel_shape", {2, 2}), attr_string("auto_pad", "SAME")});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_GRAPH, "attribute 'auto_pad' is 'SAME'");
}

TEST_CASE("AveragePool reports a kernel_shape whose length differs from the spatial rank") {
  auto r = infer("AveragePool", {f32("1,3,8,8")}, {attr_ints("kernel_shape", {2})}, 1, "pool1");
  CHECK_FAILS_WITH(r, MIRT_STATUS_INVALID_SHAPE, "AveragePool 'pool1': attribute 'kernel_shape' has 1 values, expected 2");
}

TEST_CASE("Global pools keep N and C and set every spatial dim to 1") {
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool"}) {
    auto r = infer(op, {f32("batch,512,7,7")});
    REQUIRE_INFERRED(r);
    CHECK(same_dims(r.out().shape, "batch,512,1,1"));
  }
  auto bad = infer("GlobalAveragePool", {f32("4,512")}, {}, 1, "gap");
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "GlobalAveragePool 'gap': input 0 has rank 2");
}

}  // TEST_SUITE
