// backends/cpu/parallel.hpp — intra-op threads for the cpu backend's own loops, on OpenMP: the
// libgomp pool that oneDNN's primitives already run on (Debian's libdnnl is built on OpenMP), so a
// plan has one pool, sized by OMP_NUM_THREADS like the convolutions around these loops.
//
// parallel_for splits [0, n) into contiguous chunks whose bounds depend on n, the grain, the
// alignment and the thread count only, and every item is computed by the same code it would be on
// one thread: a kernel that splits only between independent items (elements, rows, planes) gives
// bit-identical results with any thread count. Loops below two grains stay on the calling thread,
// so small tensors never pay for waking the pool.
//
// A parallel region always asks for the whole pool, even when fewer chunks have work: libgomp ends
// the pool threads a smaller team leaves out and creates new ones for the next larger team (the
// next oneDNN primitive), so a 3-chunk loop between two 16-thread convolutions cost 13 thread exits
// and 13 pthread_creates.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace mirt::cpu {

// Items per chunk, by the cost of an item. Memory-bound passes (a copy, an Add) gain from a second
// thread only past tens of microseconds of work; an item of a few hundred cycles (a transcendental
// function, a pooling window) sooner.
constexpr int64_t k_grain_cheap = 32768;
constexpr int64_t k_grain_costly = 4096;

// Chunk bounds of vector loops are multiples of this, so each chunk's vector body and scalar tail
// cover the elements they cover on one thread.
constexpr int64_t k_vector_align = 1024;

// The threads a parallel_for may use: omp_get_max_threads() (OMP_NUM_THREADS), or 1 inside another
// parallel region (no nesting) or in a build without OpenMP.
inline int pool_threads() {
#ifdef _OPENMP
  return omp_in_parallel() ? 1 : omp_get_max_threads();
#else
  return 1;
#endif
}

// Grain in rows of `row` items each for a per-row loop whose item costs as in `grain`.
inline int64_t rows_grain(int64_t row, int64_t grain) { return std::max<int64_t>(1, grain / std::max<int64_t>(row, 1)); }

// Calls body(begin, end) for contiguous chunks covering [0, n), at most one per thread and each
// of `grain` items or more; on the calling thread alone (one call, body(0, n)) when n is below
// two grains or one thread is allowed. Chunk bounds are multiples of `align`. An exception thrown
// by body (a kernel's fail()) is rethrown here, after every chunk has finished.
template <class F>
void parallel_for(int64_t n, int64_t grain, F&& body, int64_t align = 1) {
  if (n <= 0) return;
  const int64_t chunks_max = n / std::max<int64_t>(grain, 1);
  const int threads = int(std::min<int64_t>(pool_threads(), chunks_max));
  if (threads <= 1) {
    body(int64_t(0), n);
    return;
  }
  align = std::max<int64_t>(align, 1);
  const int64_t chunk = ((n + threads - 1) / threads + align - 1) / align * align;
  const int chunks = int((n + chunk - 1) / chunk);
  std::exception_ptr error;
#ifdef _OPENMP
#pragma omp parallel for num_threads(pool_threads()) schedule(static, 1)
#endif
  for (int c = 0; c < chunks; ++c) {
    try {
      body(int64_t(c) * chunk, std::min(n, int64_t(c + 1) * chunk));
    } catch (...) {
#ifdef _OPENMP
#pragma omp critical(mirt_cpu_parallel_error)
#endif
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace mirt::cpu
