// tools/mirt/compare.cpp — elementwise comparison of two runners' outputs with error statistics.
#include "compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mirt::cli {

namespace {

value_stats stats_of(const std::vector<double>& v) {
  value_stats s;
  bool first = true;
  double sum = 0, magnitude = 0;
  uint64_t finite = 0;
  for (double x : v) {
    if (!std::isfinite(x)) continue;
    if (first) s.min = s.max = x, first = false;
    s.min = std::min(s.min, x);
    s.max = std::max(s.max, x);
    sum += x;
    magnitude += std::fabs(x);
    ++finite;
  }
  if (finite != 0) s.mean = sum / static_cast<double>(finite), s.mean_magnitude = magnitude / static_cast<double>(finite);
  return s;
}

}  // namespace

comparison compare_values(const std::vector<double>& got, const std::vector<double>& want, const tolerance& tol) {
  comparison c;
  c.count = std::min(got.size(), want.size());
  double sum_abs = 0, sum_rel = 0;
  uint64_t rel_count = 0;
  for (uint64_t i = 0; i < c.count; ++i) {
    const double g = got[i], w = want[i];
    if (!std::isfinite(g) || !std::isfinite(w)) {
      ++c.nonfinite;
      const bool same = (std::isnan(g) && std::isnan(w)) || g == w;
      if (!same) ++c.mismatches;
      if (!same) c.required_atol = c.required_rtol = std::numeric_limits<double>::infinity();
      continue;
    }
    const double diff = std::fabs(g - w);
    sum_abs += diff;
    if (diff > c.max_abs || i == 0) c.max_abs = diff, c.max_abs_index = i;
    c.required_atol = std::max(c.required_atol, diff);
    if (w != 0) {
      const double rel = diff / std::fabs(w);
      sum_rel += rel;
      ++rel_count;
      if (rel > c.max_rel) c.max_rel = rel, c.max_rel_index = i;
      c.required_rtol = std::max(c.required_rtol, rel);
    } else if (diff != 0) {
      c.required_rtol = std::numeric_limits<double>::infinity();
    }
    if (diff > tol.atol + tol.rtol * std::fabs(w)) ++c.mismatches;
  }
  const uint64_t finite = c.count - c.nonfinite;
  if (finite != 0) c.mean_abs = sum_abs / static_cast<double>(finite);
  if (rel_count != 0) c.mean_rel = sum_rel / static_cast<double>(rel_count);
  c.got_stats = stats_of(got);
  c.want_stats = stats_of(want);
  c.passed = got.size() == want.size() && c.mismatches == 0;
  return c;
}

std::string index_text(uint64_t flat, const std::vector<int64_t>& dims) {
  std::vector<int64_t> index(dims.size());
  for (size_t k = dims.size(); k-- > 0;) {
    const auto d = static_cast<uint64_t>(std::max<int64_t>(dims[k], 1));
    index[k] = static_cast<int64_t>(flat % d);
    flat /= d;
  }
  std::string text = "(";
  for (size_t k = 0; k < index.size(); ++k) text += (k != 0 ? ", " : "") + std::to_string(index[k]);
  return text + ")";
}

}  // namespace mirt::cli
