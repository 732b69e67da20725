// backends/cpu/ops/fused_attention.cpp — mirt::FusedAttention (made by the builder's attention
// fusion pass) in float32: per (batch, head), scores = scale * Q K^T + mask, softmax along the keys
// (softmax_rows), Y = P V. Q [B, Sq, H, Dk], K [B, Skv, H, Dk], V [B, Skv, H, Dv], Y [B, Sq, H, Dv],
// or one packed QKV [B, S, 3, H, D] in place of the three; the mask broadcasts to [B, H, Sq, Skv]. The same arithmetic as the layers it replaces, so a fused
// plan computes what the unfused one does (within float rounding of the sums). Work goes by blocks
// of query rows of one head: scale * Q K^T and P V as oneDNN sgemms on the strided head slices (no
// copies), the mask and softmax_rows between them. Blocks of all heads split over the pool's
// threads (parallel.hpp); each block is computed alone, by sgemms that run on the thread that
// holds the block when several threads share the blocks.
#include <algorithm>
#include <array>
#include <vector>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/onednn.hpp"
#include "backends/cpu/parallel.hpp"
#include "backends/cpu/vector_math.hpp"

namespace mirt::cpu {
namespace {

constexpr int64_t k_query_block = 32;  // query rows per block (one sgemm pair)

// Row-major C[m, n] = alpha * A[m, k] . op(B) with leading dimensions, op(B) = B[k, n] ('N') or
// B[n, k]^T ('T'), on oneDNN's sgemm.
void sgemm(char transb, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
           int64_t ldb, float* c, int64_t ldc) {
  const dnnl_status_t s = dnnl_sgemm('N', transb, m, n, k, alpha, a, lda, b, ldb, 0.0f, c, ldc);
  if (s != dnnl_success) fail(MIRT_STATUS_INTERNAL, "oneDNN sgemm (", m, "x", n, "x", k, ") failed with status ", int(s));
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
  // packed: input 0 is QKV [B, S, 3, H, D] and K, V are absent (decided at build: an empty input
  // reads as absent at run time too).
  fused_attention_kernel(float scale, bool packed, float mask_scale, float mask_shift)
      : scale_(scale), packed_(packed), mask_scale_(mask_scale), mask_shift_(mask_shift) {}

  void execute(const exec_args& args) const override {
    const tensor& y = args.out.at(0);
    if (y.numel() == 0) return;
    const operands o = packed_ ? packed(args.in.at(0)) : separate(args);
    const int64_t b_n = o.batch, sq = o.sq, h_n = o.heads, dk = o.dk, skv = o.skv, dv = o.dv;
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
    const float *qp = o.q, *kp = o.k, *vp = o.v;
    std::vector<float> mapped;  // mask_shift + mask_scale * mask, where that is not the mask as it is
    const float* mp = mask.present() ? additive_mask(mask, mapped) : nullptr;
    float* yp = y.as<float>();
    if (skv == 0 || dk == 0) {  // no scores to take: the degenerate cases as plain loops
      std::vector<float> p(static_cast<size_t>(skv));
      for (int64_t b = 0; b < b_n; ++b)
        for (int64_t i = 0; i < sq; ++i)
          for (int64_t h = 0; h < h_n; ++h) {
            const float* mi = mp ? mp + b * ms[0] + h * ms[1] + i * ms[2] : nullptr;
            for (int64_t j = 0; j < skv; ++j) p[size_t(j)] = mi ? mi[j * ms[3]] : 0.f;
            softmax_rows(p.data(), p.data(), skv > 0 ? 1 : 0, skv, false);
            float* yi = yp + ((b * sq + i) * h_n + h) * dv;
            std::fill(yi, yi + dv, 0.f);
            for (int64_t j = 0; j < skv; ++j)
              for (int64_t e = 0; e < dv; ++e) yi[e] += p[size_t(j)] * vp[(b * skv + j) * o.v_ld + h * dv + e];
          }
      return;
    }
    // Items: blocks of k_query_block query rows of every (batch, head), in that order. Grain: blocks
    // of about k_grain_costly * 64 multiply-adds.
    const int64_t blocks = (sq + k_query_block - 1) / k_query_block;
    const int64_t y_ld = h_n * dv;
    parallel_for(b_n * h_n * blocks, rows_grain(k_query_block * skv * (dk + dv), k_grain_costly * 64),
                 [&](int64_t first, int64_t last) {
                   std::vector<float> scores(static_cast<size_t>(k_query_block * skv));
                   for (int64_t item = first; item < last; ++item) {
                     const int64_t i0 = (item % blocks) * k_query_block, bh = item / blocks, h = bh % h_n, b = bh / h_n;
                     const int64_t rows = std::min(k_query_block, sq - i0);
                     float* s = scores.data();
                     sgemm('T', rows, skv, dk, scale_, qp + (b * sq + i0) * o.q_ld + h * dk, o.q_ld,
                           kp + b * skv * o.k_ld + h * dk, o.k_ld, s, skv);
                     if (mp)
                       for (int64_t r = 0; r < rows; ++r) {
                         const float* mi = mp + b * ms[0] + h * ms[1] + (i0 + r) * ms[2];
                         for (int64_t j = 0; j < skv; ++j) s[r * skv + j] += mi[j * ms[3]];
                       }
                     softmax_rows(s, s, rows, skv, false);
                     sgemm('N', rows, dv, skv, 1.0f, s, skv, vp + b * skv * o.v_ld + h * dv, o.v_ld,
                           yp + (b * sq + i0) * y_ld + h * dv, y_ld);
                   }
                 });
  }

 private:
  // Q, K and V with the floats between consecutive positions (ld) of each.
  struct operands {
    const float *q, *k, *v;
    int64_t q_ld, k_ld, v_ld;
    int64_t batch, sq, skv, heads, dk, dv;
  };

  // Q [B, Sq, H, Dk], K [B, Skv, H, Dk], V [B, Skv, H, Dv].
  static operands separate(const exec_args& args) {
    const tensor &q = args.in.at(0), &k = args.in.at(1), &v = args.in.at(2);
    if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4 || k.shape[0] != q.shape[0] || k.shape[2] != q.shape[2] ||
        k.shape[3] != q.shape[3] || v.shape[0] != q.shape[0] || v.shape[1] != k.shape[1] || v.shape[2] != q.shape[2])
      fail(MIRT_STATUS_INVALID_SHAPE, "Q ", dims_string(q.shape), ", K ", dims_string(k.shape), " and V ",
           dims_string(v.shape), " do not fit [B, Sq, H, Dk], [B, Skv, H, Dk], [B, Skv, H, Dv]");
    const int64_t h = q.shape[2], dk = q.shape[3], dv = v.shape[3];
    return {q.as<const float>(), k.as<const float>(), v.as<const float>(), h * dk, h * dk, h * dv,
            q.shape[0], q.shape[1], k.shape[1], h, dk, dv};
  }

  // QKV [B, S, 3, H, D]: Q, K and V of position s side by side in row s.
  static operands packed(const tensor& qkv) {
    if (qkv.rank() != 5 || qkv.shape[2] != 3)
      fail(MIRT_STATUS_INVALID_SHAPE, "packed QKV ", dims_string(qkv.shape), " is not [B, S, 3, H, D]");
    const int64_t h = qkv.shape[3], d = qkv.shape[4];
    const float* base = qkv.as<const float>();
    return {base, base + h * d, base + 2 * h * d, 3 * h * d, 3 * h * d, 3 * h * d, qkv.shape[0], qkv.shape[1], qkv.shape[1], h, d, d};
  }

  // The mask as float32 scores: as it is, or mapped into `mapped`.
  const float* additive_mask(const tensor& mask, std::vector<float>& mapped) const {
    if (mask.dtype == MIRT_DTYPE_FLOAT32 && mask_scale_ == 1.f && mask_shift_ == 0.f) return mask.as<const float>();
    mapped.resize(size_t(mask.numel()));
    for (int64_t i = 0; i < mask.numel(); ++i) {
      double v = 0;
      switch (mask.dtype) {
        case MIRT_DTYPE_FLOAT32: v = mask.as<const float>()[i]; break;
        case MIRT_DTYPE_INT64: v = double(mask.as<const int64_t>()[i]); break;
        case MIRT_DTYPE_INT32: v = mask.as<const int32_t>()[i]; break;
        case MIRT_DTYPE_BOOL: v = mask.as<const uint8_t>()[i] ? 1 : 0; break;
        default: fail(MIRT_STATUS_UNSUPPORTED, "mask of dtype ", dtype_name(mask.dtype));
      }
      mapped[size_t(i)] = float(double(mask_shift_) + double(mask_scale_) * v);
    }
    return mapped.data();
  }

  float scale_;
  bool packed_;
  float mask_scale_, mask_shift_;
};

bool fused_attention_supports(const node_view& node, std::string& why) {
  for (size_t i = 0; i < 3; ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32}, why)) return false;
  if (node.has_input(3) &&
      !input_dtype_in(node, 3, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_INT64, MIRT_DTYPE_INT32, MIRT_DTYPE_BOOL}, why))
    return false;
  if (!node.has_input(1) && !node.has_input(2)) {
    if (node.input(0).rank == 5) return true;
    why = "K and V are absent and input 0 is not a packed QKV [B, S, 3, H, D]";
    return false;
  }
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
                 return std::make_unique<fused_attention_kernel>(node.attr_float("scale", 1.f), !node.has_input(1),
                                                                 node.attr_float("mask_scale", 1.f), node.attr_float("mask_shift", 0.f));
               }});
}

}  // namespace mirt::cpu
