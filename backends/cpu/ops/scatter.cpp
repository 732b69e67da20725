// backends/cpu/ops/scatter.cpp — ScatterElements and ScatterND (opset 18: reduction none, add, mul,
// max, min) and GatherND (batch_dims). The output starts as a copy of the data; updates are
// applied in index order, so with reduction none a duplicate index keeps the last update, as the
// ONNX reference does. Any dtype for none; numeric dtypes (16-bit floats in float32) otherwise.
#include <algorithm>
#include <cstring>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

enum class reduction { none, add, mul, max, min };

reduction parse_reduction(const node_view& node) {
  const std::string r = node.attr_string("reduction", "none");
  if (r == "none") return reduction::none;
  if (r == "add") return reduction::add;
  if (r == "mul") return reduction::mul;
  if (r == "max") return reduction::max;
  if (r == "min") return reduction::min;
  fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'reduction' is '", r, "', expected none, add, mul, max or min");
}

// Writes `count` consecutive elements of src into dst (element size es) with the reduction.
void apply(reduction red, mirt_dtype dtype, uint8_t* dst, const uint8_t* src, int64_t count) {
  const size_t es = dtype_size(dtype);
  if (red == reduction::none) {
    std::memcpy(dst, src, size_t(count) * es);
    return;
  }
  dispatch_any(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* d = reinterpret_cast<T*>(dst);
    const T* s = reinterpret_cast<const T*>(src);
    for (int64_t i = 0; i < count; ++i) {
      using W = decltype(widen(d[i]));
      const W a = widen(d[i]), b = widen(s[i]);
      W r = a;
      switch (red) {
        case reduction::add: r = W(a + b); break;
        case reduction::mul: r = W(a * b); break;
        case reduction::max: r = std::max(a, b); break;
        case reduction::min: r = std::min(a, b); break;
        case reduction::none: break;
      }
      d[i] = convert<T>(r);
    }
  });
}

int64_t checked_index(int64_t i, int64_t extent, size_t position, size_t axis) {
  if (i < -extent || i >= extent)
    fail(MIRT_STATUS_INVALID_ARGUMENT, "index ", i, " at position ", position, " is out of range for axis ", axis,
         " of extent ", extent);
  return i < 0 ? i + extent : i;
}

class scatter_elements_kernel final : public kernel {
 public:
  scatter_elements_kernel(int64_t axis, reduction r) : axis_(axis), red_(r) {}
  void execute(const exec_args& args) const override {
    const tensor &data = args.in.at(0), &idx = args.in.at(1), &upd = args.in.at(2), &out = args.out.at(0);
    if (out.data != data.data) std::memcpy(out.data, data.data, data.bytes());
    const size_t r = data.rank(), axis = size_t(normalize_axis(axis_, r)), es = dtype_size(data.dtype);
    const std::vector<int64_t> indices = read_int_tensor(idx, "input 1 (indices)");
    if (upd.shape != idx.shape)
      fail(MIRT_STATUS_INVALID_SHAPE, "updates have shape ", dims_string(upd.shape), ", indices ", dims_string(idx.shape));
    const dims strides = dense_strides(data.shape);
    std::vector<int64_t> pos(r, 0);
    for (size_t i = 0; i < indices.size(); ++i) {
      int64_t at = 0;
      for (size_t d = 0; d < r; ++d) {
        const int64_t p = d == axis ? checked_index(indices[i], data.shape[d], i, axis) : pos[d];
        if (p >= data.shape[d])
          fail(MIRT_STATUS_INVALID_SHAPE, "indices have shape ", dims_string(idx.shape), ", beyond the data's ",
               dims_string(data.shape));
        at += p * strides[d];
      }
      apply(red_, data.dtype, out.as<uint8_t>() + size_t(at) * es, upd.as<const uint8_t>() + i * es, 1);
      for (size_t d = r; d-- > 0;) {
        if (++pos[d] < idx.shape[d]) break;
        pos[d] = 0;
      }
    }
  }

 private:
  int64_t axis_;
  reduction red_;
};

// Flat element offset of the slice an index tuple of length k (starting at dim `first`) selects.
int64_t tuple_offset(const int64_t* tuple, int64_t k, const dims& shape, const dims& strides, size_t first,
                     size_t position) {
  int64_t at = 0;
  for (int64_t j = 0; j < k; ++j) {
    const size_t d = first + size_t(j);
    at += checked_index(tuple[j], shape[d], position, d) * strides[d];
  }
  return at;
}

class scatter_nd_kernel final : public kernel {
 public:
  explicit scatter_nd_kernel(reduction r) : red_(r) {}
  void execute(const exec_args& args) const override {
    const tensor &data = args.in.at(0), &idx = args.in.at(1), &upd = args.in.at(2), &out = args.out.at(0);
    if (out.data != data.data) std::memcpy(out.data, data.data, data.bytes());
    const std::vector<int64_t> indices = read_int_tensor(idx, "input 1 (indices)");
    const int64_t k = idx.shape.back(), tuples = product(idx.shape, 0, idx.rank() - 1);
    const int64_t slice = product(data.shape, size_t(k));
    if (upd.numel() != tuples * slice)
      fail(MIRT_STATUS_INVALID_SHAPE, "updates have ", upd.numel(), " elements, expected ", tuples * slice);
    const dims strides = dense_strides(data.shape);
    const size_t es = dtype_size(data.dtype);
    for (int64_t t = 0; t < tuples; ++t) {
      const int64_t at = tuple_offset(indices.data() + t * k, k, data.shape, strides, 0, size_t(t));
      apply(red_, data.dtype, out.as<uint8_t>() + size_t(at) * es, upd.as<const uint8_t>() + size_t(t * slice) * es, slice);
    }
  }

 private:
  reduction red_;
};

class gather_nd_kernel final : public kernel {
 public:
  explicit gather_nd_kernel(int64_t batch_dims) : batch_(batch_dims) {}
  void execute(const exec_args& args) const override {
    const tensor &data = args.in.at(0), &idx = args.in.at(1), &out = args.out.at(0);
    const std::vector<int64_t> indices = read_int_tensor(idx, "input 1 (indices)");
    const size_t b = size_t(batch_);
    const int64_t k = idx.shape.back(), batches = product(data.shape, 0, b);
    const int64_t tuples_per_batch = product(idx.shape, b, idx.rank() - 1);
    const int64_t slice = product(data.shape, b + size_t(k)), data_batch = product(data.shape, b);
    for (size_t d = 0; d < b; ++d)
      if (idx.shape[d] != data.shape[d])
        fail(MIRT_STATUS_INVALID_SHAPE, "indices have shape ", dims_string(idx.shape), ", whose batch dims differ from the data's ",
             dims_string(data.shape));
    const dims strides = dense_strides(data.shape);
    const size_t es = dtype_size(data.dtype);
    for (int64_t bi = 0; bi < batches; ++bi)
      for (int64_t t = 0; t < tuples_per_batch; ++t) {
        const int64_t n = bi * tuples_per_batch + t;
        const int64_t at = bi * data_batch + tuple_offset(indices.data() + n * k, k, data.shape, strides, b, size_t(n));
        std::memcpy(out.as<uint8_t>() + size_t(n * slice) * es, data.as<const uint8_t>() + size_t(at) * es,
                    size_t(slice) * es);
      }
  }

 private:
  int64_t batch_;
};

bool scatter_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  if (node.op_type() != "GatherND" && node.attr_string("reduction", "none") != "none" &&
      node.input_dtype(0) == MIRT_DTYPE_BOOL) {
    why = "a reduction over bool data";
    return false;
  }
  if (dtype_size(node.input_dtype(0)) == 0) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  return true;
}

}  // namespace

void add_scatter_ops(std::vector<op_entry>& t) {
  t.push_back({"ScatterElements", "ref_scatter_elements", scatter_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<scatter_elements_kernel>(node.attr_int("axis", 0), parse_reduction(node));
               }});
  t.push_back({"ScatterND", "ref_scatter_nd", scatter_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<scatter_nd_kernel>(parse_reduction(node));
               }});
  t.push_back({"GatherND", "ref_gather_nd", scatter_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<gather_nd_kernel>(node.attr_int("batch_dims", 0));
               }});
}

}  // namespace mirt::cpu
