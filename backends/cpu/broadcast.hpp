// backends/cpu/broadcast.hpp — strided loops over several operands, for broadcasting and reductions.
#pragma once

#include <algorithm>
#include <array>

#include "backends/cpu/parallel.hpp"
#include "backends/cpu/tensor.hpp"

namespace mirt::cpu {

// N operands walked together over one iteration shape, each with its own element strides.
template <size_t N>
struct strided_loop {
  dims shape;
  std::array<dims, N> strides;
};

// Drops unit dimensions and merges neighbours that every operand walks contiguously, so the
// innermost row is as long as possible.
template <size_t N>
strided_loop<N> make_loop(const dims& shape, const std::array<dims, N>& strides) {
  strided_loop<N> l;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!l.shape.empty()) {
      bool mergeable = true;
      for (size_t k = 0; k < N; ++k) mergeable = mergeable && l.strides[k].back() == strides[k][d] * shape[d];
      if (mergeable) {
        l.shape.back() *= shape[d];
        for (size_t k = 0; k < N; ++k) l.strides[k].back() = strides[k][d];
        continue;
      }
    }
    l.shape.push_back(shape[d]);
    for (size_t k = 0; k < N; ++k) l.strides[k].push_back(strides[k][d]);
  }
  return l;
}

// Calls row(offsets, steps, length) for each innermost row; offsets and steps are in elements.
template <size_t N, class F>
void for_each_row(const strided_loop<N>& l, F&& row) {
  std::array<int64_t, N> off{}, step{};
  if (l.shape.empty()) {
    for (size_t k = 0; k < N; ++k) step[k] = 0;
    row(off, step, int64_t(1));
    return;
  }
  for (int64_t s : l.shape)
    if (s == 0) return;
  const size_t r = l.shape.size();
  for (size_t k = 0; k < N; ++k) step[k] = l.strides[k][r - 1];
  const int64_t len = l.shape[r - 1];
  std::array<int64_t, MIRT_MAX_RANK + 1> idx{};
  while (true) {
    row(off, step, len);
    // Advance the outer index (all dims but the last), odometer style.
    size_t d = r - 1;
    while (d > 0) {
      --d;
      if (++idx[d] < l.shape[d]) {
        for (size_t k = 0; k < N; ++k) off[k] += l.strides[k][d];
        break;
      }
      for (size_t k = 0; k < N; ++k) off[k] -= l.strides[k][d] * (l.shape[d] - 1);
      idx[d] = 0;
      if (d == 0) return;
    }
    if (r == 1) return;
  }
}

// Calls row(offsets, steps, length) for the pieces of rows that hold elements [begin, end) of the
// loop's iteration space (row-major order): whole rows, and partial ones at the two ends.
template <size_t N, class F>
void for_each_row_in(const strided_loop<N>& l, int64_t begin, int64_t end, F&& row) {
  std::array<int64_t, N> off{}, step{};
  if (l.shape.empty()) {  // one element
    if (begin < end) row(off, step, int64_t(1));
    return;
  }
  const size_t r = l.shape.size();
  for (size_t k = 0; k < N; ++k) step[k] = l.strides[k][r - 1];
  const int64_t len = l.shape[r - 1];
  std::array<int64_t, MIRT_MAX_RANK + 1> idx{};
  for (int64_t rest = begin, d = int64_t(r) - 1; d >= 0; --d) {
    idx[size_t(d)] = rest % l.shape[size_t(d)];
    rest /= l.shape[size_t(d)];
    for (size_t k = 0; k < N; ++k) off[k] += idx[size_t(d)] * l.strides[k][size_t(d)];
  }
  for (int64_t at = begin; at < end;) {
    const int64_t n = std::min(len - idx[r - 1], end - at);
    row(off, step, n);
    at += n;
    if (at >= end) return;
    for (size_t k = 0; k < N; ++k) off[k] -= idx[r - 1] * step[k];  // back to the row's start
    idx[r - 1] = 0;
    for (size_t d = r - 1; d-- > 0;) {  // the next row, odometer style
      if (++idx[d] < l.shape[d]) {
        for (size_t k = 0; k < N; ++k) off[k] += l.strides[k][d];
        break;
      }
      for (size_t k = 0; k < N; ++k) off[k] -= l.strides[k][d] * (l.shape[d] - 1);
      idx[d] = 0;
    }
  }
}

// for_each_row over the pool's threads: the iteration space split into contiguous element ranges
// (parallel.hpp), so with any thread count each element is computed once, by the same code.
template <size_t N, class F>
void parallel_rows(const strided_loop<N>& l, int64_t grain, F&& row) {
  int64_t total = 1;
  for (int64_t s : l.shape) total *= s;
  parallel_for(total, grain, [&](int64_t begin, int64_t end) { for_each_row_in(l, begin, end, row); });
}

// Copies `in`, read through per-dimension element strides over `shape`, densely into `out`.
// Element-size generic: used by Expand, Tile, Transpose and Slice. Threaded for large copies.
inline void strided_copy(const void* in, void* out, size_t element_size, const dims& shape, const dims& in_strides) {
  const auto loop = make_loop<2>(shape, {dense_strides(shape), in_strides});
  dispatch_by_size(element_size, [&](auto tag) {
    using U = typename decltype(tag)::type;
    U* o = static_cast<U*>(out);
    const U* x = static_cast<const U*>(in);
    parallel_rows(loop, k_grain_cheap, [&](const auto& off, const auto& st, int64_t n) {
      if (st[1] == 0) std::fill(o + off[0], o + off[0] + n, x[off[1]]);
      else if (st[1] == 1) std::copy(x + off[1], x + off[1] + n, o + off[0]);
      else for (int64_t i = 0; i < n; ++i) o[off[0] + i] = x[off[1] + i * st[1]];
    });
  });
}

}  // namespace mirt::cpu
