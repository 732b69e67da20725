// tests/tools/shapes_test.cpp — the shape, file and size specs of the mirt command line.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>

#include "mirt/base.h"
#include "shapes.hpp"

using namespace mirt::cli;

// The message of the spec_error that text raises, or "" when it parses.
static std::string shape_error(const std::string& text) {
  try {
    parse_shape_specs(text);
  } catch (const spec_error& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("parse_shape_specs reads trtexec shapes") {
  SUBCASE("one input") {
    const auto specs = parse_shape_specs("input:1x3x224x224");
    REQUIRE(specs.size() == 1);
    CHECK(specs[0].name == "input");
    CHECK(specs[0].dims == std::vector<int64_t>{1, 3, 224, 224});
  }
  SUBCASE("several inputs keep their order") {
    const auto specs = parse_shape_specs("ids:1x128,mask:1x128,scalar:");
    REQUIRE(specs.size() == 3);
    CHECK(specs[0].name == "ids");
    CHECK(specs[1].name == "mask");
    CHECK(specs[1].dims == std::vector<int64_t>{1, 128});
    CHECK(specs[2].name == "scalar");
    CHECK(specs[2].dims.empty());
    CHECK(find_shape(specs, "mask") == &specs[1]);
    CHECK(find_shape(specs, "nope") == nullptr);
  }
  SUBCASE("the last colon splits a name that holds colons") {
    const auto specs = parse_shape_specs("input:0:2x3");
    REQUIRE(specs.size() == 1);
    CHECK(specs[0].name == "input:0");
    CHECK(specs[0].dims == std::vector<int64_t>{2, 3});
  }
  SUBCASE("a quoted name may hold commas and colons") {
    const auto specs = parse_shape_specs("'a,b:c':4x5,d:6");
    REQUIRE(specs.size() == 2);
    CHECK(specs[0].name == "a,b:c");
    CHECK(specs[0].dims == std::vector<int64_t>{4, 5});
    CHECK(specs[1].dims == std::vector<int64_t>{6});
  }
  SUBCASE("an empty spec is no shapes") { CHECK(parse_shape_specs("").empty()); }
}

TEST_CASE("parse_shape_specs errors name the bad token") {
  CHECK(shape_error("input:1x3xQx224").find("'Q'") != std::string::npos);
  CHECK(shape_error("input:1x3xQx224").find("input:1x3xQx224") != std::string::npos);
  CHECK(shape_error("input:1x-3").find("'-3'") != std::string::npos);
  CHECK(shape_error("input:1xx3").find("empty dimension") != std::string::npos);
  CHECK(shape_error("input1x3").find("'input1x3'") != std::string::npos);
  CHECK(shape_error("input1x3").find("no ':'") != std::string::npos);
  CHECK(shape_error(":1x3").find("empty tensor name") != std::string::npos);
  CHECK(shape_error("a:1,,b:2").find("stray ','") != std::string::npos);
  CHECK(shape_error("a:1,a:2").find("'a' is given twice") != std::string::npos);
  CHECK(shape_error("'a:1").find("unterminated quote") != std::string::npos);
  CHECK(shape_error("a:99999999999999999999").find("too large") != std::string::npos);
}

TEST_CASE("parse_file_specs reads name:file pairs") {
  const auto files = parse_file_specs("x:/tmp/x.bin,'y:0':data/y.bin");
  REQUIRE(files.size() == 2);
  CHECK(files[0].name == "x");
  CHECK(files[0].path == "/tmp/x.bin");
  CHECK(files[1].name == "y:0");
  CHECK(files[1].path == "data/y.bin");
  CHECK_THROWS_WITH_AS(parse_file_specs("x:"), doctest::Contains("empty path"), spec_error);
  CHECK_THROWS_WITH_AS(parse_file_specs("x.bin"), doctest::Contains("'x.bin'"), spec_error);
}

TEST_CASE("parse_precision_specs reads layer:precision pairs as trtexec's --layerPrecisions") {
  const auto specs = parse_precision_specs("conv1:fp32,'block/fc:1':fp16,head:bf16,x:float16");
  REQUIRE(specs.size() == 4);
  CHECK(specs[0].layer == "conv1");
  CHECK(specs[0].dtype == MIRT_DTYPE_FLOAT32);
  CHECK(specs[1].layer == "block/fc:1");
  CHECK(specs[1].dtype == MIRT_DTYPE_FLOAT16);
  CHECK(specs[2].dtype == MIRT_DTYPE_BFLOAT16);
  CHECK(specs[3].dtype == MIRT_DTYPE_FLOAT16);
  CHECK(parse_precision_specs("").empty());
  CHECK_THROWS_WITH_AS(parse_precision_specs("conv1:int4"), doctest::Contains("'int4'"), spec_error);
  CHECK_THROWS_WITH_AS(parse_precision_specs("a:fp16,a:fp32"), doctest::Contains("'a' is given twice"), spec_error);
}

TEST_CASE("parse_byte_size takes K, M and G suffixes") {
  CHECK(parse_byte_size("0") == 0);
  CHECK(parse_byte_size("4096") == 4096);
  CHECK(parse_byte_size("2K") == 2048);
  CHECK(parse_byte_size("512M") == 512ull << 20);
  CHECK(parse_byte_size("3g") == 3ull << 30);
  CHECK_THROWS_WITH_AS(parse_byte_size("12T"), doctest::Contains("'12T'"), spec_error);
  CHECK_THROWS_AS(parse_byte_size(""), spec_error);
  CHECK_THROWS_WITH_AS(parse_byte_size("99999999999G"), doctest::Contains("too large"), spec_error);
}

TEST_CASE("format_dims writes trtexec shapes") {
  CHECK(format_dims({1, 3, 224, 224}) == "1x3x224x224");
  CHECK(format_dims({-1, 128}) == "?x128");
  CHECK(format_dims({}) == "scalar");
}
