// backends/cuda/kernels/unique.cu — Unique: Thrust's stable merge sort of the slice indices with a
// lexicographic slice comparator (equal slices end up together, lowest index first, as the cpu
// backend's std::stable_sort leaves them), then one pass per step:
//   mark_starts   1 where a slice differs from the one before it in sorted order;
//   (inclusive scan: each sorted position's group number + 1; the last one is the count)
//   find_groups   each group's first index and start, each slice's group (inverse);
//   group_counts  the distance between consecutive starts;
//   for sorted=0, the groups sorted by first index and renumbered (reorder, renumber);
// then the slices gathered into y. Thrust's scratch is stream-ordered (cudaMallocAsync).
// Reference: backends/cpu/ops/unique.cpp.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <thrust/scan.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system_error.h>

#include <algorithm>
#include <cstdint>
#include <new>
#include <type_traits>

#include "backends/cuda/kernels/data_movement.hpp"
#include "backends/cuda/kernels/unique.hpp"

namespace mirt::cuda {
namespace {

template <class T>
__device__ inline auto widen(T v) {
  if constexpr (std::is_same_v<T, __half>) return double(__half2float(v));
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return double(__bfloat162float(v));
  else if constexpr (std::is_floating_point_v<T>) return double(v);
  else return int64_t(v);
}

// -1, 0 or 1 as slice a sorts before, with or after slice b.
template <class T>
struct slice_compare {
  const T* x;
  int64_t outer, n, inner;
  __device__ int operator()(int64_t a, int64_t b) const {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const auto va = widen(x[(o * n + a) * inner + i]), vb = widen(x[(o * n + b) * inner + i]);
        if (va < vb) return -1;
        if (vb < va) return 1;
      }
    return 0;
  }
};

template <class T>
struct slice_less {
  slice_compare<T> compare;
  __device__ bool operator()(int64_t a, int64_t b) const { return compare(a, b) < 0; }
};

#define GRID_STRIDE(k, count) \
  for (int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < (count); k += int64_t(gridDim.x) * blockDim.x)

template <class T>
__global__ void mark_starts(slice_compare<T> compare, const int64_t* order, int64_t n, int64_t* flags) {
  GRID_STRIDE(k, n) flags[k] = k == 0 || compare(order[k - 1], order[k]) != 0;
}

__global__ void find_groups(const int64_t* order, const int64_t* group_plus_one, int64_t n, int64_t* starts, int64_t* first,
                            int64_t* inverse) {
  GRID_STRIDE(k, n) {
    const int64_t g = group_plus_one[k] - 1;
    inverse[order[k]] = g;
    if (k == 0 || group_plus_one[k] != group_plus_one[k - 1]) starts[g] = k, first[g] = order[k];
  }
}

__global__ void group_counts(const int64_t* starts, int64_t count, int64_t n, int64_t* counts) {
  GRID_STRIDE(g, count) counts[g] = (g + 1 < count ? starts[g + 1] : n) - starts[g];
}

// perm[j]: the sorted-order group now at position j (by first occurrence).
__global__ void reorder(const int64_t* perm, const int64_t* counts_sorted, int64_t count, int64_t* counts, int64_t* new_of_old) {
  GRID_STRIDE(j, count) {
    new_of_old[perm[j]] = j;
    counts[j] = counts_sorted[perm[j]];
  }
}

__global__ void renumber(const int64_t* new_of_old, const int64_t* inverse_sorted, int64_t n, int64_t* inverse) {
  GRID_STRIDE(k, n) inverse[k] = new_of_old[inverse_sorted[k]];
}

// Thrust's temporary storage, ordered on the stream.
struct stream_allocator {
  using value_type = char;
  cudaStream_t stream;
  char* allocate(std::ptrdiff_t bytes) {
    void* p = nullptr;
    if (cudaMallocAsync(&p, size_t(bytes), stream) != cudaSuccess) throw std::bad_alloc();
    return static_cast<char*>(p);
  }
  void deallocate(char* p, size_t) { cudaFreeAsync(p, stream); }
};

// n int64 arrays of scratch, one block, freed on the stream.
class int64_scratch {
 public:
  int64_scratch(size_t elements, cudaStream_t stream) : stream_(stream) {
    if (cudaMallocAsync(reinterpret_cast<void**>(&p_), std::max<size_t>(elements, 1) * sizeof(int64_t), stream) != cudaSuccess)
      throw std::bad_alloc();
  }
  ~int64_scratch() { cudaFreeAsync(p_, stream_); }
  int64_scratch(const int64_scratch&) = delete;
  int64_scratch& operator=(const int64_scratch&) = delete;
  int64_t* array(size_t index, int64_t n) const { return p_ + index * size_t(n); }

 private:
  int64_t* p_ = nullptr;
  cudaStream_t stream_;
};

status device_status(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return {};
  return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("CUDA: Unique: ") + what + ": " + cudaGetErrorString(e));
}

template <class T>
status run(const unique_params& p, const std::function<unique_outputs(int64_t)>& allocate, cudaStream_t stream) {
  const int64_t n = p.n;
  const slice_compare<T> compare{static_cast<const T*>(p.x), p.outer, n, p.inner};
  int64_scratch scratch(size_t(11) * size_t(n), stream);
  int64_t *order = scratch.array(0, n), *group = scratch.array(1, n), *starts = scratch.array(2, n), *first = scratch.array(3, n),
          *inverse = scratch.array(4, n), *counts = scratch.array(5, n);
  stream_allocator alloc{stream};
  const auto policy = thrust::cuda::par(alloc).on(stream);
  int64_t count = 0;
  if (n > 0) {
    thrust::sequence(policy, order, order + n);
    thrust::stable_sort(policy, order, order + n, slice_less<T>{compare});
    mark_starts<T><<<grid_for(n), k_block, 0, stream>>>(compare, order, n, group);
    thrust::inclusive_scan(policy, group, group + n, group);
    if (status s = device_status(cudaMemcpyAsync(&count, group + n - 1, sizeof count, cudaMemcpyDeviceToHost, stream), "reading the count"); !s.ok())
      return s;
    if (status s = device_status(cudaStreamSynchronize(stream), "reading the count"); !s.ok()) return s;
    find_groups<<<grid_for(n), k_block, 0, stream>>>(order, group, n, starts, first, inverse);
    group_counts<<<grid_for(count), k_block, 0, stream>>>(starts, count, n, counts);
    if (!p.sorted) {  // by first occurrence: sort the groups by their first index
      int64_t *perm = scratch.array(6, n), *keys = scratch.array(7, n), *new_of_old = scratch.array(8, n),
              *counts_new = scratch.array(9, n), *inverse_new = scratch.array(10, n);
      thrust::sequence(policy, perm, perm + count);
      if (status s = device_status(cudaMemcpyAsync(keys, first, size_t(count) * sizeof(int64_t), cudaMemcpyDeviceToDevice, stream), "copying");
          !s.ok())
        return s;
      thrust::sort_by_key(policy, keys, keys + count, perm);
      reorder<<<grid_for(count), k_block, 0, stream>>>(perm, counts, count, counts_new, new_of_old);
      renumber<<<grid_for(n), k_block, 0, stream>>>(new_of_old, inverse, n, inverse_new);
      first = keys, counts = counts_new, inverse = inverse_new;
    }
    if (status s = check_launch("Unique"); !s.ok()) return s;
  }
  const unique_outputs out = allocate(count);
  auto copy = [&](int64_t* to, const int64_t* from, int64_t elements) {
    return to && elements > 0 ? device_status(cudaMemcpyAsync(to, from, size_t(elements) * sizeof(int64_t), cudaMemcpyDeviceToDevice, stream),
                                              "copying an output")
                              : status{};
  };
  if (status s = copy(out.indices, first, count); !s.ok()) return s;
  if (status s = copy(out.inverse, inverse, n); !s.ok()) return s;
  if (status s = copy(out.counts, counts, count); !s.ok()) return s;
  if (!out.y || count == 0 || p.outer * p.inner == 0) return {};
  gather_params g;
  g.data = p.x;
  g.indices = first;
  g.out = out.y;
  g.element_size = sizeof(T);
  g.outer = p.outer, g.extent = n, g.inner = p.inner, g.count = count;
  return launch_gather(g, stream);
}

}  // namespace

status launch_unique(const unique_params& p, const std::function<unique_outputs(int64_t)>& allocate, cudaStream_t stream) {
  if (p.n > 0 && !p.x) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "Unique: NULL input");
  try {
    switch (p.dtype) {
      case MIRT_DTYPE_FLOAT32: return run<float>(p, allocate, stream);
      case MIRT_DTYPE_FLOAT64: return run<double>(p, allocate, stream);
      case MIRT_DTYPE_FLOAT16: return run<__half>(p, allocate, stream);
      case MIRT_DTYPE_BFLOAT16: return run<__nv_bfloat16>(p, allocate, stream);
      case MIRT_DTYPE_INT8: return run<int8_t>(p, allocate, stream);
      case MIRT_DTYPE_UINT8: case MIRT_DTYPE_BOOL: return run<uint8_t>(p, allocate, stream);
      case MIRT_DTYPE_INT32: return run<int32_t>(p, allocate, stream);
      case MIRT_DTYPE_INT64: return run<int64_t>(p, allocate, stream);
      default: return make_error(MIRT_STATUS_UNSUPPORTED, "Unique: dtype not supported");
    }
  } catch (const thrust::system_error& e) {
    return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("CUDA: Unique: ") + e.what());
  } catch (const std::bad_alloc&) {
    return make_error(MIRT_STATUS_OUT_OF_MEMORY, "CUDA: Unique: out of device memory for " + std::to_string(p.n) + " slices' scratch");
  }
}

}  // namespace mirt::cuda
