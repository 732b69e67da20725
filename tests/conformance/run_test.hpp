// tests/conformance/run_test.hpp — one node test through mirt's public C ABI: parse, build with
// a profile over the data sets' shapes, run every data set, compare every output.
#pragma once

#include <string>

#include "tests/conformance/common.hpp"

namespace conformance {

enum class verdict { pass, fail, skip };

struct result {
  std::string name;
  verdict v = verdict::fail;
  std::string reason;  // FAIL: "stage: ..."; SKIP: "category: detail"
  std::string op;      // the op(s) the test exercises
};

struct options {
  std::string backend = "cpu";
  double rtol = 1e-3, atol = 1e-5;
};

// Runs the test in folder dir into r; throws failure for a failing step.
void run_test(const fs::path& dir, const options& opt, result& r);

// Helpers over the C ABI that the runner's main also uses.
mirt_string_view sv(const std::string& s);
std::string str(mirt_string_view v);

}  // namespace conformance
