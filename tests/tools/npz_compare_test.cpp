// tests/tools/npz_compare_test.cpp — mirt run's .npy/.npz reader and writer, and its comparison.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "compare.hpp"
#include "npz.hpp"
#include "tensor_data.hpp"

using namespace mirt::cli;

namespace {

npy_array make_array(const std::string& name, mirt_dtype dtype, std::vector<int64_t> shape) {
  npy_array a;
  a.name = name;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.data.resize(a.count() * mirt_dtype_size(dtype));
  for (size_t i = 0; i < a.data.size(); ++i) a.data[i] = static_cast<uint8_t>(i * 7 + 1);
  return a;
}

std::string temp_path(const char* name) { return (std::filesystem::temp_directory_path() / name).string(); }

}  // namespace

TEST_CASE("npz: arrays of every numpy dtype and rank survive a write and a read") {
  const std::vector<npy_array> arrays = {
      make_array("x", MIRT_DTYPE_FLOAT32, {2, 3}), make_array("ids", MIRT_DTYPE_INT64, {5}),
      make_array("scalar", MIRT_DTYPE_FLOAT64, {}), make_array("half", MIRT_DTYPE_FLOAT16, {1, 2, 2}),
      make_array("empty", MIRT_DTYPE_INT32, {0, 4}), make_array("a/b:0", MIRT_DTYPE_UINT8, {3})};
  const std::string path = temp_path("mirt_npz_test_roundtrip.npz");
  write_npz(path, arrays);
  const std::vector<npy_array> back = read_npz(path);
  REQUIRE(back.size() == arrays.size());
  for (size_t i = 0; i < arrays.size(); ++i) {
    CHECK(back[i].name == arrays[i].name);
    CHECK(back[i].dtype == arrays[i].dtype);
    CHECK(back[i].shape == arrays[i].shape);
    CHECK(back[i].data == arrays[i].data);
  }
  std::filesystem::remove(path);
}

TEST_CASE("npy: the header is numpy's, and bad headers name the problem") {
  const std::vector<uint8_t> bytes = format_npy(make_array("x", MIRT_DTYPE_FLOAT32, {5}));
  const std::string text(bytes.begin(), bytes.end());
  CHECK(text.find("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }") != std::string::npos);
  CHECK((bytes.size() - 5 * 4) % 64 == 0);  // data 64-byte aligned, as numpy writes it
  CHECK(parse_npy(bytes.data(), bytes.size(), "t").shape == std::vector<int64_t>{5});
  CHECK_THROWS_WITH_AS(parse_npy(bytes.data(), bytes.size() - 1, "t"), doctest::Contains("needs 20"), npz_error);
  CHECK_THROWS_WITH_AS(parse_npy(bytes.data() + 1, bytes.size() - 1, "t"), doctest::Contains("magic"), npz_error);
  std::string huge = text;  // a shape whose byte count overflows 64 bits
  huge.replace(huge.find("(5,)"), 4, "(4611686018427387904, 8)");
  CHECK_THROWS_WITH_AS(parse_npy(reinterpret_cast<const uint8_t*>(huge.data()), huge.size(), "t"),
                       doctest::Contains("too large"), npz_error);
  std::string fortran = text;
  fortran.replace(fortran.find("False"), 5, "True ");
  CHECK_THROWS_WITH_AS(parse_npy(reinterpret_cast<const uint8_t*>(fortran.data()), fortran.size(), "t"),
                       doctest::Contains("Fortran"), npz_error);
  std::string big_endian = text;
  big_endian.replace(big_endian.find("<f4"), 3, ">f4");
  CHECK_THROWS_WITH_AS(parse_npy(reinterpret_cast<const uint8_t*>(big_endian.data()), big_endian.size(), "t"),
                       doctest::Contains("'>f4' is not supported"), npz_error);
}

TEST_CASE("npz: a file that is not a zip, a truncated one and a corrupt one are errors naming the file") {
  const std::string path = temp_path("mirt_npz_test_bad.npz");
  write_npz(path, {make_array("x", MIRT_DTYPE_FLOAT32, {64})});
  std::vector<char> bytes(std::filesystem::file_size(path));
  std::ifstream(path, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  auto write = [&](const std::vector<char>& b) { std::ofstream(path, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size())); };
  write(std::vector<char>(bytes.begin(), bytes.begin() + 100));
  CHECK_THROWS_WITH_AS(read_npz(path), doctest::Contains("mirt_npz_test_bad.npz' is not an .npz file"), npz_error);
  std::vector<char> corrupt = bytes;
  corrupt[200] ^= 0x55;  // inside the array data
  write(corrupt);
  CHECK_THROWS_WITH_AS(read_npz(path), doctest::Contains("entry 'x.npy': CRC mismatch"), npz_error);
  std::filesystem::remove(path);
  CHECK_THROWS_WITH_AS(read_npz(path), doctest::Contains("cannot open"), npz_error);
  CHECK_THROWS_AS(write_npz(path, {make_array("x", MIRT_DTYPE_FLOAT32, {1}), make_array("x", MIRT_DTYPE_INT8, {1})}), npz_error);
}

TEST_CASE("compare: elementwise atol + rtol * |reference|, with the error figures") {
  const tolerance tol{1e-3, 1e-2};
  comparison c = compare_values({1.0, 2.0, -3.0}, {1.0, 2.0, -3.0}, tol);
  CHECK(c.passed);
  CHECK(c.max_abs == 0);
  c = compare_values({1.0, 2.02, 0.0005}, {1.0, 2.0, 0.0}, tol);  // 0.02 <= 1e-3 + 1e-2 * 2, 5e-4 <= 1e-3
  CHECK(c.passed);
  CHECK(c.max_abs == doctest::Approx(0.02));
  CHECK(c.max_abs_index == 1);
  CHECK(c.max_rel == doctest::Approx(0.01));
  CHECK(c.required_atol == doctest::Approx(0.02));
  CHECK(std::isinf(c.required_rtol));  // the reference has a 0 where mirt differs
  c = compare_values({1.0, 2.1}, {1.0, 2.0}, tol);
  CHECK_FALSE(c.passed);
  CHECK(c.mismatches == 1);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(compare_values({nan, 1.0}, {nan, 1.0}, tol).passed);
  c = compare_values({nan, 1.0}, {0.0, 1.0}, tol);
  CHECK_FALSE(c.passed);
  CHECK(c.nonfinite == 1);
  CHECK_FALSE(compare_values({1.0}, {1.0, 2.0}, tol).passed);  // lengths differ
  CHECK(index_text(5, {2, 3}) == "(1, 2)");
}

TEST_CASE("convert_values: int64 inputs narrow to int32 when they fit, else the error names the tensor") {
  const std::vector<int64_t> small = {0, -5, 2147483647};
  std::vector<int32_t> out(3);
  convert_values(small.data(), MIRT_DTYPE_INT64, out.data(), MIRT_DTYPE_INT32, 3, "input 'ids'");
  CHECK(out == std::vector<int32_t>{0, -5, 2147483647});
  const std::vector<int64_t> big = {1, 4294967296};
  CHECK_THROWS_WITH(convert_values(big.data(), MIRT_DTYPE_INT64, out.data(), MIRT_DTYPE_INT32, 2, "input 'ids'"),
                    doctest::Contains("input 'ids': value 4294967296"));
  const std::vector<double> d = {0.5, -2};
  std::vector<float> f(2);
  convert_values(d.data(), MIRT_DTYPE_FLOAT64, f.data(), MIRT_DTYPE_FLOAT32, 2, "x");
  CHECK(f == std::vector<float>{0.5f, -2.0f});
}
