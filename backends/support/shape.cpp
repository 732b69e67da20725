// backends/support/shape.cpp — shape, stride and dtype helpers shared by the backends.
#include "backends/support/shape.hpp"

#include <algorithm>

namespace mirt::support {

std::string dims_string(const dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

dims dense_strides(const dims& shape) {
  dims s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

dims broadcast_strides(const dims& in, const dims& out) {
  if (in.size() > out.size())
    fail(MIRT_STATUS_INVALID_SHAPE, "shape ", dims_string(in), " does not broadcast to ", dims_string(out));
  dims s(out.size(), 0);
  const dims dense = dense_strides(in);
  const size_t lead = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == out[lead + i]) s[lead + i] = in[i] == 1 ? 0 : dense[i];
    else if (in[i] == 1) s[lead + i] = 0;
    else fail(MIRT_STATUS_INVALID_SHAPE, "shape ", dims_string(in), " does not broadcast to ", dims_string(out));
  }
  return s;
}

dims broadcast_shape(const dims& a, const dims& b) {
  const size_t r = std::max(a.size(), b.size());
  dims out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1)
      fail(MIRT_STATUS_INVALID_SHAPE, "shapes ", dims_string(a), " and ", dims_string(b), " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

size_t dtype_size(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: case MIRT_DTYPE_INT32: return 4;
    case MIRT_DTYPE_FLOAT16: case MIRT_DTYPE_BFLOAT16: return 2;
    case MIRT_DTYPE_INT8: case MIRT_DTYPE_UINT8: case MIRT_DTYPE_BOOL: return 1;
    case MIRT_DTYPE_INT64: case MIRT_DTYPE_FLOAT64: return 8;
    default: return 0;
  }
}

const char* dtype_name(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return "float32";
    case MIRT_DTYPE_FLOAT16: return "float16";
    case MIRT_DTYPE_BFLOAT16: return "bfloat16";
    case MIRT_DTYPE_INT8: return "int8";
    case MIRT_DTYPE_UINT8: return "uint8";
    case MIRT_DTYPE_INT32: return "int32";
    case MIRT_DTYPE_INT64: return "int64";
    case MIRT_DTYPE_BOOL: return "bool";
    case MIRT_DTYPE_FLOAT64: return "float64";
    default: return "undefined";
  }
}

int64_t normalize_axis(int64_t axis, size_t rank, const char* what) {
  const int64_t r = int64_t(rank);
  if (axis < -r || axis >= r) fail(MIRT_STATUS_INVALID_ARGUMENT, what, " ", axis, " is out of range for rank ", r);
  return axis < 0 ? axis + r : axis;
}

slice_window plan_slice(const dims& in_shape, const dims& out_shape, const std::vector<int64_t>& starts,
                        const std::vector<int64_t>& ends, std::optional<std::vector<int64_t>> axes,
                        std::optional<std::vector<int64_t>> steps) {
  const size_t r = in_shape.size();
  if (!axes) {
    axes.emplace();
    for (size_t i = 0; i < starts.size(); ++i) axes->push_back(int64_t(i));
  }
  if (!steps) steps.emplace(starts.size(), 1);
  if (ends.size() != starts.size() || axes->size() != starts.size() || steps->size() != starts.size())
    fail(MIRT_STATUS_INVALID_ARGUMENT, "starts, ends, axes and steps have ", starts.size(), ", ", ends.size(), ", ",
         axes->size(), " and ", steps->size(), " entries; they must agree");
  // Per dim: first element and step; untouched dims take everything.
  dims first(r, 0), step(r, 1);
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t a = size_t(normalize_axis((*axes)[i], r, "axes entry"));
    const int64_t extent = in_shape[a], s = (*steps)[i];
    if (s == 0) fail(MIRT_STATUS_INVALID_ARGUMENT, "steps entry ", i, " is 0");
    const int64_t b = starts[i] < 0 ? starts[i] + extent : starts[i];
    first[a] = s > 0 ? std::clamp<int64_t>(b, 0, extent) : std::clamp<int64_t>(b, 0, extent - 1);
    step[a] = s;
  }
  slice_window w;
  w.strides.assign(r, 0);
  if (product(out_shape) == 0) return w;
  const dims in_strides = dense_strides(in_shape);
  for (size_t d = 0; d < r; ++d) {
    // The core inferred the extents; check the last element read stays inside the input.
    const int64_t last = first[d] + (out_shape[d] - 1) * step[d];
    if (last < 0 || last >= in_shape[d])
      fail(MIRT_STATUS_INVALID_SHAPE, "output extent ", out_shape[d], " on dim ", d, " reads outside input ",
           dims_string(in_shape));
    w.offset += first[d] * in_strides[d];
    w.strides[d] = step[d] * in_strides[d];
  }
  return w;
}

tensor output_at_shape(const std::vector<tensor>& outputs, const output_allocate_fn& allocate, size_t i,
                       const dims& shape) {
  tensor t = outputs.at(i);
  const bool unknown = std::any_of(t.shape.begin(), t.shape.end(), [](int64_t d) { return d < 0; });
  if (unknown && allocate) {
    t.data = allocate(i, shape);
    t.shape = shape;
    return t;
  }
  if (t.shape != shape)
    fail(MIRT_STATUS_INVALID_SHAPE, "output ", i, " was given shape ", dims_string(t.shape), " but the data give ",
         dims_string(shape));
  return t;
}

}  // namespace mirt::support
