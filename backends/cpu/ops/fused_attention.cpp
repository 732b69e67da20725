// backends/cpu/ops/fused_attention.cpp — mirt::FusedAttention (made by the builder's attention
// fusion pass) in float32: per (batch, head), scores = scale * Q K^T + mask, softmax along the keys
// (softmax_rows), Y = P V. Q [B, Sq, H, Dk], K [B, Skv, H, Dk], V [B, Skv, H, Dv], Y [B, Sq, H, Dv];
// the mask broadcasts to [B, H, Sq, Skv]. The same arithmetic as the layers it replaces, so a fused
// plan computes what the unfused one does (within float rounding of the sums). The query rows of
// all heads split over the pool's threads (parallel.hpp); each row is computed alone, so the
// result does not depend on the thread count.
#include <algorithm>
#include <array>
#include <vector>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/parallel.hpp"
#include "backends/cpu/vector_math.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(__SANITIZE_ADDRESS__)
#define MIRT_ATTENTION_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MIRT_ATTENTION_CLONES
#endif

namespace mirt::cpu {
namespace {

// y[0:n] += a * x[0:n] (vectorized; the inner loop of both products).
MIRT_ATTENTION_CLONES void add_scaled(float a, const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// Element strides of a mask of shape m broadcast (right-aligned) to [B, H, Sq, Skv]; 0 where it repeats.
std::array<int64_t, 4> mask_strides(const dims& m) {
  std::array<int64_t, 4> strides{0, 0, 0, 0};
  int64_t step = 1;
  for (size_t d = 0; d < m.size() && d < 4; ++d) {
    const int64_t extent = m[m.size() - 1 - d];
    strides[3 - d] = extent == 1 ? 0 : step;
    step *= extent;
  }
  return strides;
}

class fused_attention_kernel final : public kernel {
 public:
  explicit fused_attention_kernel(float scale) : scale_(scale) {}

  void execute(const exec_args& args) const override {
    const tensor &q = args.in.at(0), &k = args.in.at(1), &v = args.in.at(2), &y = args.out.at(0);
    if (y.numel() == 0) return;
    const int64_t b_n = q.shape[0], sq = q.shape[1], h_n = q.shape[2], dk = q.shape[3];
    const int64_t skv = k.shape[1], dv = v.shape[3];
    if (k.shape[0] != b_n || k.shape[2] != h_n || k.shape[3] != dk || v.shape[0] != b_n || v.shape[1] != skv ||
        v.shape[2] != h_n)
      fail(MIRT_STATUS_INVALID_SHAPE, "Q ", dims_string(q.shape), ", K ", dims_string(k.shape), " and V ",
           dims_string(v.shape), " do not fit [B, Sq, H, Dk], [B, Skv, H, Dk], [B, Skv, H, Dv]");
    const tensor& mask = args.input(3);
    std::array<int64_t, 4> ms{0, 0, 0, 0};
    if (mask.present()) {
      if (mask.rank() > 4) fail(MIRT_STATUS_INVALID_SHAPE, "the mask has rank ", mask.rank(), ", expected at most 4");
      const dims full = {b_n, h_n, sq, skv};
      for (size_t d = 0; d < mask.shape.size(); ++d) {
        const int64_t e = mask.shape[mask.shape.size() - 1 - d];
        if (e != 1 && e != full[3 - d])
          fail(MIRT_STATUS_INVALID_SHAPE, "the mask ", dims_string(mask.shape), " does not broadcast to ", dims_string(full));
      }
      ms = mask_strides(mask.shape);
    }
    const float* qp = q.as<const float>();
    const float* kp = k.as<const float>();
    const float* vp = v.as<const float>();
    const float* mp = mask.present() ? mask.as<const float>() : nullptr;
    float* yp = y.as<float>();
    // Items: the query rows of every (batch, head), in that order; a chunk transposes K of each
    // head it enters. Grain: rows of about k_grain_costly * 16 multiply-adds.
    parallel_for(b_n * h_n * sq, rows_grain(skv * (dk + dv), k_grain_costly * 16), [&](int64_t first, int64_t last) {
      std::vector<float> kt(static_cast<size_t>(dk * skv)), scores(static_cast<size_t>(skv)), out(static_cast<size_t>(dv));
      int64_t head_in_kt = -1;
      for (int64_t item = first; item < last; ++item) {
        const int64_t i = item % sq, bh = item / sq, h = bh % h_n, b = bh / h_n;
        if (bh != head_in_kt) {
          // K^T of this head, [Dk, Skv]: the score row then accumulates over contiguous keys.
          for (int64_t j = 0; j < skv; ++j)
            for (int64_t d = 0; d < dk; ++d) kt[size_t(d * skv + j)] = kp[((b * skv + j) * h_n + h) * dk + d];
          head_in_kt = bh;
        }
        std::fill(scores.begin(), scores.end(), 0.f);
        const float* qi = qp + ((b * sq + i) * h_n + h) * dk;
        for (int64_t d = 0; d < dk; ++d) add_scaled(qi[d], kt.data() + d * skv, scores.data(), skv);
        const float* mi = mp ? mp + b * ms[0] + h * ms[1] + i * ms[2] : nullptr;
        for (int64_t j = 0; j < skv; ++j) scores[size_t(j)] = scores[size_t(j)] * scale_ + (mi ? mi[j * ms[3]] : 0.f);
        softmax_rows(scores.data(), scores.data(), 1, skv, false);
        std::fill(out.begin(), out.end(), 0.f);
        for (int64_t j = 0; j < skv; ++j) add_scaled(scores[size_t(j)], vp + ((b * skv + j) * h_n + h) * dv, out.data(), dv);
        std::copy(out.begin(), out.end(), yp + ((b * sq + i) * h_n + h) * dv);
      }
    });
  }

 private:
  float scale_;
};

bool fused_attention_supports(const node_view& node, std::string& why) {
  for (size_t i = 0; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32}, why)) return false;
  for (size_t i = 0; i < 3; ++i)
    if (node.input(i).rank != 4) {
      why = "input " + std::to_string(i) + " is not 4-D [B, S, H, D]";
      return false;
    }
  return true;
}

}  // namespace

void add_fused_attention_ops(std::vector<op_entry>& t) {
  t.push_back({"FusedAttention", "cpu_fused_attention", fused_attention_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<fused_attention_kernel>(node.attr_float("scale", 1.f));
               }});
}

}  // namespace mirt::cpu
