// backends/cpu/ops/depth_space.cpp — DepthToSpace (DCR and CRD) and SpaceToDepth, any dtype, and
// EyeLike. Both rearrangements are a 6-D transpose of the input seen through a reshape; the output
// is written in order, reading each element's source offset.
#include <array>
#include <cstring>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class depth_space_kernel final : public kernel {
 public:
  depth_space_kernel(bool to_space, bool crd, int64_t block) : to_space_(to_space), crd_(crd), b_(block) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], b = b_;
    // view: the input as 6-D; perm: output dim i is view dim perm[i].
    std::array<int64_t, 6> view;
    std::array<int, 6> perm;
    if (to_space_ && !crd_) view = {n, b, b, c / (b * b), h, w}, perm = {0, 3, 4, 1, 5, 2};
    else if (to_space_) view = {n, c / (b * b), b, b, h, w}, perm = {0, 1, 4, 2, 5, 3};
    else view = {n, c, h / b, b, w / b, b}, perm = {0, 3, 5, 1, 2, 4};
    std::array<int64_t, 6> vstride{}, out_dims{}, src_stride{};
    vstride[5] = 1;
    for (int d = 4; d >= 0; --d) vstride[size_t(d)] = vstride[size_t(d) + 1] * view[size_t(d) + 1];
    for (size_t i = 0; i < 6; ++i) out_dims[i] = view[size_t(perm[i])], src_stride[i] = vstride[size_t(perm[i])];
    const size_t es = dtype_size(x.dtype);
    const auto* src = x.as<const uint8_t>();
    auto* dst = y.as<uint8_t>();
    std::array<int64_t, 6> idx{};
    for (int64_t o = 0, total = x.numel(); o < total; ++o) {
      int64_t at = 0;
      for (size_t i = 0; i < 6; ++i) at += idx[i] * src_stride[i];
      std::memcpy(dst + size_t(o) * es, src + size_t(at) * es, es);
      for (size_t i = 6; i-- > 0;) {
        if (++idx[i] < out_dims[i]) break;
        idx[i] = 0;
      }
    }
  }

 private:
  bool to_space_, crd_;
  int64_t b_;
};

// EyeLike: ones where column - row == k, zeros elsewhere, in the output's dtype.
class eye_like_kernel final : public kernel {
 public:
  explicit eye_like_kernel(int64_t k) : k_(k) {}
  void execute(const exec_args& args) const override {
    const tensor& y = args.out.at(0);
    const int64_t rows = y.shape[0], cols = y.shape[1];
    dispatch_any(y.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* p = y.as<T>();
      const T zero = convert<T>(0), one = convert<T>(1);
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) p[i * cols + j] = j - i == k_ ? one : zero;
    });
  }

 private:
  int64_t k_;
};

bool sized_dtype(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) != 0) return true;
  why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
  return false;
}

}  // namespace

void add_depth_space_ops(std::vector<op_entry>& t) {
  t.push_back({"DepthToSpace", "ref_depth_space", sized_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 const std::string mode = node.attr_string("mode", "DCR");
                 if (mode != "DCR" && mode != "CRD") fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is '", mode, "', expected DCR or CRD");
                 return std::make_unique<depth_space_kernel>(true, mode == "CRD", node.attr_int("blocksize", 1));
               }});
  t.push_back({"SpaceToDepth", "ref_depth_space", sized_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<depth_space_kernel>(false, false, node.attr_int("blocksize", 1));
               }});
  t.push_back({"EyeLike", "ref_eye_like", sized_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<eye_like_kernel>(node.attr_int("k", 0));
               }});
}

}  // namespace mirt::cpu
