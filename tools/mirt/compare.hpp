// tools/mirt/compare.hpp — compares one output of two runners elementwise, as Polygraphy's `run` does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mirt::cli {

struct tolerance {
  double atol = 1e-4;
  double rtol = 1e-3;
};

// Summary statistics of one array.
struct value_stats {
  double mean = 0, min = 0, max = 0, mean_magnitude = 0;
};

// The result of comparing `got` against the reference `want` (same length).
struct comparison {
  bool passed = false;
  uint64_t count = 0;
  uint64_t mismatches = 0;      // elements outside atol + rtol * |want|, or NaN in only one of them
  uint64_t nonfinite = 0;       // NaN/Inf in either (counted once per element)
  double max_abs = 0, mean_abs = 0;
  uint64_t max_abs_index = 0;
  double max_rel = 0, mean_rel = 0;  // |got - want| / |want| over elements with want != 0
  uint64_t max_rel_index = 0;
  double required_atol = 0;     // the smallest atol that passes with rtol 0
  double required_rtol = 0;     // the smallest rtol that passes with atol 0 (inf when want has zeros that differ)
  value_stats got_stats, want_stats;
};

// Compares elementwise: an element matches when |got - want| <= atol + rtol * |want| (numpy.isclose);
// NaN matches NaN, and infinities match when equal. Empty arrays pass.
comparison compare_values(const std::vector<double>& got, const std::vector<double>& want, const tolerance& tol);

// Row-major index -> "(i, j, k)" for dims.
std::string index_text(uint64_t flat, const std::vector<int64_t>& dims);

}  // namespace mirt::cli
