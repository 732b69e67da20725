// backends/cuda/ops/data_dependent.cpp — NonZero and Compress, whose output extent is the number of
// selected elements. Each selects on the device, reads the count back (synchronizing the stream, as
// any data-dependent shape must), asks for its output at that shape (exec_args::output), and fills it.
#include <optional>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/data_movement.hpp"
#include "backends/cuda/kernels/select.hpp"

namespace mirt::cuda {
namespace {

// Scratch for one execution, stream-ordered. Not from the workspace: the planner sizes that at
// build time, before a data-dependent input's extent is known.
class stream_scratch {
 public:
  stream_scratch(size_t bytes, cudaStream_t stream) : stream_(stream) {
    cuda_check(cudaMallocAsync(&ptr_, std::max<size_t>(bytes, 1), stream), "allocating ", bytes,
               " bytes of selection scratch (", memory_report(), ")");
  }
  ~stream_scratch() { cudaFreeAsync(ptr_, stream_); }
  stream_scratch(const stream_scratch&) = delete;
  stream_scratch& operator=(const stream_scratch&) = delete;
  char* get() const { return static_cast<char*>(ptr_); }

 private:
  void* ptr_ = nullptr;
  cudaStream_t stream_;
};

// The flat positions of values' non-zero entries, left in `positions` (device), and their count.
struct selection {
  stream_scratch block;
  int64_t* positions;
  int64_t count = 0;

  selection(const dtensor& values, cudaStream_t stream)
      : block(size_t(values.numel() + 1) * sizeof(int64_t) + select_scratch_bytes(values.numel()), stream),
        positions(reinterpret_cast<int64_t*>(block.get()) + 1) {
    select_params p;
    p.dtype = values.dtype;
    p.values = values.data;
    p.n = values.numel();
    p.selected = positions;
    p.count = reinterpret_cast<int64_t*>(block.get());
    p.scratch = block.get() + size_t(p.n + 1) * sizeof(int64_t);
    throw_if_failed(launch_select_nonzero(p, stream));
    count = read_back(p.count, stream);
  }

  static int64_t read_back(const int64_t* device, cudaStream_t stream) {
    int64_t value = 0;
    cuda_check(cudaMemcpyAsync(&value, device, sizeof(value), cudaMemcpyDeviceToHost, stream), "reading a selection count");
    cuda_check(cudaStreamSynchronize(stream), "reading a selection count");
    return value;
  }
};

// NonZero: int64 [rank, count], row d holding the d-th coordinate of each non-zero element.
class non_zero_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const dtensor& x = args.in.at(0);
    selection selected(x, args.stream);
    const dtensor y = args.output(0, {int64_t(x.rank()), selected.count});
    unravel_params p;
    p.positions = selected.positions;
    p.count = selected.count;
    p.rank = int(x.rank());
    for (size_t d = 0; d < x.rank(); ++d) p.shape[d] = x.shape[d];
    p.y = y.as<int64_t>();
    throw_if_failed(launch_unravel(p, args.stream));
  }
};

// Compress: the slices of x along axis (or the elements of the flattened x) where condition is
// true. Entries of condition past the extent are ignored when false and refused when true.
class compress_kernel final : public kernel {
 public:
  explicit compress_kernel(std::optional<int64_t> axis) : axis_(axis) {}

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &condition = args.in.at(1);
    const size_t axis = axis_ ? size_t(normalize_axis(*axis_, x.rank())) : 0;
    const dims shape = axis_ ? x.shape : dims{x.numel()};
    const int64_t extent = shape[axis];
    selection kept(condition, args.stream);
    if (kept.count > 0) {
      const int64_t last = selection::read_back(kept.positions + kept.count - 1, args.stream);
      if (last >= extent)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "input 1 (condition) selects entry ", last, " but the ",
             axis_ ? "axis" : "flattened input", " has ", extent);
    }
    dims out_shape = shape;
    out_shape[axis] = kept.count;
    const dtensor y = args.output(0, out_shape);
    gather_params p;
    p.data = x.data;
    p.indices = kept.positions;
    p.out = y.data;
    p.element_size = dtype_size(x.dtype);
    p.outer = product(shape, 0, axis);
    p.extent = extent;
    p.inner = product(shape, axis + 1);
    p.count = kept.count;
    throw_if_failed(launch_gather(p, args.stream));
  }

 private:
  std::optional<int64_t> axis_;
};

bool selectable(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0,
                        {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT8,
                         MIRT_DTYPE_UINT8, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64, MIRT_DTYPE_BOOL},
                        why);
}
bool any_dtype(const node_view&, std::string&) { return true; }

}  // namespace

void add_data_dependent_ops(std::vector<op_entry>& t) {
  t.push_back({"NonZero", "cuda_select_scan", selectable,
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<non_zero_kernel>(); }});
  t.push_back({"Compress", "cuda_select_scan_gather", any_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<compress_kernel>(node.has_attr("axis") ? std::optional<int64_t>(node.attr_int("axis", 0))
                                                                                : std::nullopt);
               }});
}

}  // namespace mirt::cuda
