// backends/cpu/ops/layout.cpp — mirt::Reformat: a 4-D tensor's data moved between NCHW and
// channels-last (NHWC) memory, its logical shape [N, C, H, W] unchanged. The builder's layout pass
// puts these at the edges of channels-last regions (chains of float32 convolutions on this backend).
// 4-byte dtypes (float32 above all) move through a oneDNN reorder (JIT, threaded like the
// convolutions around it), made once per shape and run as s32 so that every bit pattern is copied
// as it is. Other sizes: per image, NCHW is a [C][H*W] matrix and NHWC its transpose [H*W][C], so a
// tiled transpose reads and writes both sides in cache-line runs. A converting Reformat (attribute
// "dtype": the pass folded an input's Cast into it) converts each element as Cast does while that
// transpose moves it.
#include <algorithm>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/cpu/onednn.hpp"

namespace mirt::cpu {
namespace {

// dst[c][r] = src[r][c] (converted to To) for a rows x cols matrix, in square tiles.
template <class From, class To>
void transpose_matrix(const From* src, To* dst, int64_t rows, int64_t cols) {
  constexpr int64_t tile = 16;
  for (int64_t r0 = 0; r0 < rows; r0 += tile)
    for (int64_t c0 = 0; c0 < cols; c0 += tile) {
      const int64_t r1 = std::min(rows, r0 + tile), c1 = std::min(cols, c0 + tile);
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t r = r0; r < r1; ++r) {
          if constexpr (std::is_same_v<From, To>)
            dst[c * rows + r] = src[r * cols + c];
          else
            dst[c * rows + r] = convert<To>(src[r * cols + c]);
        }
    }
}

struct reorder_entry {
  dnnl::reorder prim;
  dnnl::memory::desc src_md, dst_md;
};

class reformat_kernel final : public kernel {
 public:
  explicit reformat_kernel(bool to_nhwc) : to_nhwc_(to_nhwc) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() != 4) fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x.shape), " is not 4-D");
    if (y.shape != x.shape)
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " differs from the input ", dims_string(x.shape));
    if (x.numel() == 0) return;
    const int64_t channels = x.shape[1], pixels = x.shape[2] * x.shape[3], image = channels * pixels;
    // NCHW -> NHWC transposes each image's [C][HW]; NHWC -> NCHW its [HW][C].
    const int64_t rows = to_nhwc_ ? channels : pixels, cols = to_nhwc_ ? pixels : channels;
    if (y.dtype != x.dtype)
      return dispatch_any(x.dtype, [&](auto from_tag) {
        dispatch_any(y.dtype, [&](auto to_tag) {
          using From = typename decltype(from_tag)::type;
          using To = typename decltype(to_tag)::type;
          const From* src = x.as<const From>();
          To* dst = y.as<To>();
          for (int64_t n = 0; n < x.shape[0]; ++n) transpose_matrix(src + n * image, dst + n * image, rows, cols);
        });
      });
    if (dtype_size(x.dtype) == 4) return run_onednn(x, y);
    dispatch_by_size(dtype_size(x.dtype), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = x.as<const T>();
      T* dst = y.as<T>();
      for (int64_t n = 0; n < x.shape[0]; ++n) transpose_matrix(src + n * image, dst + n * image, rows, cols);
    });
  }

 private:
  void run_onednn(const tensor& x, const tensor& y) const {
    shape_key key;
    key.add(x.shape);
    const reorder_entry& e = cache_.get(key, [&] {
      auto r = std::make_unique<reorder_entry>();
      const dnnl::memory::dims d(x.shape.begin(), x.shape.end());
      using tag = dnnl::memory::format_tag;
      r->src_md = dnnl::memory::desc(d, dnnl::memory::data_type::s32, to_nhwc_ ? tag::nchw : tag::nhwc);
      r->dst_md = dnnl::memory::desc(d, dnnl::memory::data_type::s32, to_nhwc_ ? tag::nhwc : tag::nchw);
      const auto& eng = onednn_engine();
      r->prim = dnnl::reorder(dnnl::reorder::primitive_desc(eng, r->src_md, eng, r->dst_md));
      return r;
    });
    try {
      const auto& eng = onednn_engine();
      dnnl::memory src(e.src_md, eng, x.data), dst(e.dst_md, eng, y.data);
      dnnl::stream& s = onednn_stream();
      e.prim.execute(s, src, dst);
      s.wait();
    } catch (const dnnl::error& err) {
      onednn_fail(err, "moving data between NCHW and NHWC");
    }
  }

  bool to_nhwc_;
  shape_cache<reorder_entry> cache_;
};

bool reformat_supports(const node_view& node, std::string& why) {
  const std::string to = node.attr_string("to", "");
  if (to != "NHWC" && to != "NCHW") {
    why = cat("attribute 'to' is '", to, "', expected NHWC or NCHW");
    return false;
  }
  if (node.input(0).rank != 4) {
    why = cat("input rank ", node.input(0).rank, ", expected 4");
    return false;
  }
  const size_t size = dtype_size(node.input_dtype(0));
  if (size != 1 && size != 2 && size != 4 && size != 8) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  // A converting Reformat ("dtype"): Cast's conversions, between the dtypes Cast takes.
  const mirt_dtype out = node.output_dtype(0);
  if (out != node.input_dtype(0) && dtype_size(out) == 0) {
    why = cat("output dtype ", dtype_name(out), " (attribute 'dtype') cannot be converted to");
    return false;
  }
  return true;
}

}  // namespace

void add_layout_ops(std::vector<op_entry>& t) {
  t.push_back({"Reformat", "tiled_reformat", reformat_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<reformat_kernel>(node.attr_string("to", "") == "NHWC");
               }});
}

}  // namespace mirt::cpu
