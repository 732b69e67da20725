// backends/cpu/ops/attention.cpp — Attention (opsets 23/24) computed in float32 (float64 for
// float64 inputs): softmax(softcap(scale * Q K^T) + bias) V per (batch, query head), where the
// additive bias combines attn_mask (bool: false -> -inf; shorter than the keys: padded with -inf),
// the causal frontier (key j <= query i + past length, or nonpad_kv_seqlen[b] - Sq without a cache)
// and the padding mask of nonpad_kv_seqlen. Grouped-query heads share a K/V head (h / (Hq/Hkv)).
// A query row whose bias is -inf everywhere gets all-zero probabilities (Y = 0), as ONNX defines.
#include <algorithm>
#include <cmath>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

struct attention_attrs {
  bool causal = false;
  int64_t q_heads = 0, kv_heads = 0;  // given for 3-D inputs
  int64_t mode = 0;                   // qk_matmul_output_mode
  std::optional<float> scale;
  float softcap = 0;
};

// A tensor in the [B, H, S, D] view as compute-type values; 3-D [B, S, H*D] inputs are transposed.
template <class C, class T>
std::vector<C> to_bhsd(const tensor& t, int64_t heads) {
  std::vector<C> out(static_cast<size_t>(t.numel()));
  const T* p = t.as<const T>();
  if (t.rank() == 4) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = C(widen(p[i]));
    return out;
  }
  const int64_t b = t.shape[0], s = t.shape[1], d = t.shape[2] / heads;
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t si = 0; si < s; ++si)
      for (int64_t h = 0; h < heads; ++h)
        for (int64_t di = 0; di < d; ++di)
          out[size_t(((bi * heads + h) * s + si) * d + di)] = C(widen(p[((bi * s + si) * heads + h) * d + di]));
  return out;
}

// Concatenates the cache (absent: nothing) and the new keys/values along S: [B, H, P + S, D].
template <class C, class T>
std::vector<C> with_past(const tensor& past, std::vector<C> fresh, int64_t b, int64_t h, int64_t s, int64_t d) {
  if (!past.present()) return fresh;
  const int64_t p = past.shape[2];
  std::vector<C> out(size_t(b * h * (p + s) * d));
  const T* pp = past.as<const T>();
  for (int64_t bh = 0; bh < b * h; ++bh) {
    C* dst = out.data() + bh * (p + s) * d;
    for (int64_t i = 0; i < p * d; ++i) dst[i] = C(widen(pp[bh * p * d + i]));
    std::copy_n(fresh.data() + bh * s * d, s * d, dst + p * d);
  }
  return out;
}

class attention_kernel final : public kernel {
 public:
  explicit attention_kernel(attention_attrs a) : a_(a) {}

  void execute(const exec_args& args) const override {
    dispatch_float(args.in.at(0).dtype, [&](auto tag) { run<typename decltype(tag)::type>(args); });
  }

 private:
  template <class T>
  void run(const exec_args& args) const {
    using C = compute_type<T>;
    const tensor &q = args.in.at(0), &k = args.in.at(1), &v = args.in.at(2);
    const tensor &mask = args.input(3), &past_k = args.input(4), &past_v = args.input(5), &nonpad = args.input(6);
    const bool three_d = q.rank() == 3;
    const int64_t b = q.shape[0];
    const int64_t hq = three_d ? a_.q_heads : q.shape[1], hkv = three_d ? a_.kv_heads : k.shape[1];
    const int64_t sq = q.shape[three_d ? 1 : 2], skv = k.shape[three_d ? 1 : 2];
    const int64_t dh = three_d ? q.shape[2] / hq : q.shape[3], dv = three_d ? v.shape[2] / hkv : v.shape[3];
    const int64_t past = past_k.present() ? past_k.shape[2] : 0, total = past + skv;

    const std::vector<C> qs = to_bhsd<C, T>(q, hq);
    const std::vector<C> ks = with_past<C, T>(past_k, to_bhsd<C, T>(k, hkv), b, hkv, skv, dh);
    const std::vector<C> vs = with_past<C, T>(past_v, to_bhsd<C, T>(v, hkv), b, hkv, skv, dv);
    for (size_t o : {1, 2})
      if (args.out.size() > o && args.out[o].data) {
        const std::vector<C>& src = o == 1 ? ks : vs;
        T* dst = args.out[o].as<T>();
        for (size_t i = 0; i < src.size(); ++i) dst[i] = store<T>(src[i]);
      }
    T* qk_out = args.out.size() > 3 && args.out[3].data ? args.out[3].as<T>() : nullptr;

    std::vector<int64_t> valid;  // nonpad_kv_seqlen per batch
    if (nonpad.present()) {
      valid = read_int_tensor(nonpad, "input 6 (nonpad_kv_seqlen)");
      if (int64_t(valid.size()) != b)
        fail(MIRT_STATUS_INVALID_SHAPE, "input 6 (nonpad_kv_seqlen) has ", valid.size(), " values, expected ", b);
    }
    // The mask's strides over [B, Hq, Sq, its own key count] (right-aligned broadcasting).
    const int64_t mask_keys = mask.present() ? mask.shape.back() : 0;
    dims mstr;
    if (mask.present()) {
      dims target = {b, hq, sq, mask_keys};
      mstr = broadcast_strides(mask.shape, target);
    }
    const C scale = C(a_.scale ? double(*a_.scale) : 1.0 / std::sqrt(double(dh)));
    const C neg_inf = -std::numeric_limits<C>::infinity();
    std::vector<C> bias(static_cast<size_t>(total)), score(static_cast<size_t>(total)), acc(static_cast<size_t>(dv));
    T* y = args.out.at(0).as<T>();

    for (int64_t bi = 0; bi < b; ++bi)
      for (int64_t h = 0; h < hq; ++h) {
        const int64_t kvh = h / (hq / hkv);
        const C* kb = ks.data() + (bi * hkv + kvh) * total * dh;
        const C* vb = vs.data() + (bi * hkv + kvh) * total * dv;
        for (int64_t i = 0; i < sq; ++i) {
          // Additive bias of this query row.
          const int64_t offset = past_k.present() ? past : (valid.empty() ? 0 : valid[size_t(bi)] - sq);
          bool all_masked = true;
          for (int64_t j = 0; j < total; ++j) {
            C bj = 0;
            if (mask.present()) {
              if (j >= mask_keys) {
                bj = neg_inf;
              } else {
                const int64_t at = bi * mstr[0] + h * mstr[1] + i * mstr[2] + j * mstr[3];
                if (mask.dtype == MIRT_DTYPE_BOOL) bj = mask.as<const uint8_t>()[at] ? C(0) : neg_inf;
                else bj = load(mask.as<const T>()[at]);
              }
            }
            if (a_.causal && j > i + offset) bj = neg_inf;
            if (!valid.empty() && j >= valid[size_t(bi)]) bj = neg_inf;
            bias[size_t(j)] = bj;
            all_masked = all_masked && std::isinf(bj) && bj < 0;
          }
          const C* qi = qs.data() + ((bi * hq + h) * sq + i) * dh;
          C best = neg_inf;
          for (int64_t j = 0; j < total; ++j) {
            const C* kj = kb + j * dh;
            C dot = 0;
            for (int64_t d = 0; d < dh; ++d) dot += qi[d] * kj[d];
            C s = dot * scale;
            if (a_.softcap > 0) s = C(a_.softcap) * std::tanh(s / C(a_.softcap));
            const C biased = s + bias[size_t(j)];
            if (qk_out && a_.mode <= 2) qk_out[((bi * hq + h) * sq + i) * total + j] = store<T>(a_.mode == 2 ? biased : s);
            score[size_t(j)] = biased;
            if (biased > best) best = biased;
          }
          // Softmax; a row with no key to attend (all -inf) has probabilities 0.
          C sum = 0;
          for (int64_t j = 0; j < total; ++j) {
            const C e = std::isinf(best) && best < 0 ? C(0) : std::exp(score[size_t(j)] - best);
            score[size_t(j)] = e;
            sum += e;
          }
          const C inv = all_masked || sum == 0 ? C(0) : C(1) / sum;
          std::fill(acc.begin(), acc.end(), C(0));
          for (int64_t j = 0; j < total; ++j) {
            const C p = score[size_t(j)] * inv;
            if (qk_out && a_.mode == 3) qk_out[((bi * hq + h) * sq + i) * total + j] = store<T>(p);
            if (p == C(0)) continue;
            const C* vj = vb + j * dv;
            for (int64_t d = 0; d < dv; ++d) acc[size_t(d)] += p * vj[d];
          }
          // Y: [B, Hq, Sq, Dv], or [B, Sq, Hq*Dv] for 3-D inputs.
          T* yi = three_d ? y + ((bi * sq + i) * hq + h) * dv : y + ((bi * hq + h) * sq + i) * dv;
          for (int64_t d = 0; d < dv; ++d) yi[d] = store<T>(acc[size_t(d)]);
        }
      }
  }

  attention_attrs a_;
};

bool attention_supports(const node_view& node, std::string& why) {
  if (!float_input_at(node, 0, why)) return false;
  for (size_t i : {1, 2, 4, 5})
    if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  if (node.has_input(3) && !input_dtype_in(node, 3, {node.input_dtype(0), MIRT_DTYPE_BOOL}, why)) return false;
  return !node.has_input(6) || input_dtype_in(node, 6, {MIRT_DTYPE_INT64}, why);
}

std::unique_ptr<kernel> make_attention(const node_view& node) {
  attention_attrs a;
  a.causal = node.attr_int("is_causal", 0) != 0;
  a.q_heads = node.attr_int("q_num_heads", 0);
  a.kv_heads = node.attr_int("kv_num_heads", 0);
  a.mode = node.attr_int("qk_matmul_output_mode", 0);
  if (node.has_attr("scale")) a.scale = node.attr_float("scale", 1);
  a.softcap = node.attr_float("softcap", 0);
  if (a.mode < 0 || a.mode > 3)
    fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'qk_matmul_output_mode' is ", a.mode, ", expected 0 to 3");
  if (node.input(0).rank == 3 && (a.q_heads <= 0 || a.kv_heads <= 0))
    fail(MIRT_STATUS_INVALID_GRAPH, "3-D inputs need positive q_num_heads and kv_num_heads");
  return std::make_unique<attention_kernel>(a);
}

}  // namespace

void add_attention_ops(std::vector<op_entry>& t) { t.push_back({"Attention", "ref_attention", attention_supports, make_attention}); }

}  // namespace mirt::cpu
