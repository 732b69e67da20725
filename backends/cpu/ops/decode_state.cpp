// backends/cpu/ops/decode_state.cpp — CausalConvWithState (depthwise causal Conv1d over
// [past_state | input], optional bias and SiLU, and the last k - 1 positions as the next state)
// and TensorScatter (an update written into a copy of the cache along its sequence axis at each
// batch entry's write index, linear or circular).
#include <cmath>
#include <cstring>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class causal_conv_kernel final : public kernel {
 public:
  explicit causal_conv_kernel(bool silu) : silu_(silu) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &w = args.in.at(1), &bias = args.input(2), &past = args.input(3);
    const int64_t batch = x.shape[0], channels = x.shape[1], length = x.shape[2], k = w.shape[2];
    if (w.shape != dims{channels, 1, k} || k < 1)
      fail(MIRT_STATUS_INVALID_SHAPE, "weight has shape ", dims_string(w.shape), ", expected [", channels, ", 1, k]");
    if (past.present() && past.shape != dims{batch, channels, k - 1})
      fail(MIRT_STATUS_INVALID_SHAPE, "past_state has shape ", dims_string(past.shape), ", expected ",
           dims_string({batch, channels, k - 1}));
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_type<T>;
      const T *px = x.as<const T>(), *pw = w.as<const T>(), *pb = bias.present() ? bias.as<const T>() : nullptr;
      const T* pp = past.present() ? past.as<const T>() : nullptr;
      T* py = args.out.at(0).as<T>();
      T* state = args.out.size() > 1 ? args.out[1].as<T>() : nullptr;
      const int64_t padded_len = length + k - 1;
      std::vector<C> padded(static_cast<size_t>(padded_len));
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t c = 0; c < channels; ++c) {
          const int64_t bc = b * channels + c;
          for (int64_t t = 0; t < k - 1; ++t) padded[size_t(t)] = pp ? load(pp[bc * (k - 1) + t]) : C(0);
          for (int64_t t = 0; t < length; ++t) padded[size_t(k - 1 + t)] = load(px[bc * length + t]);
          for (int64_t t = 0; t < length; ++t) {
            C s = pb ? load(pb[c]) : C(0);
            for (int64_t j = 0; j < k; ++j) s += load(pw[c * k + j]) * padded[size_t(t + j)];
            // The convolution is rounded to T before the activation, as ONNX's reference does.
            T v = store<T>(s);
            if (silu_) {
              const C r = load(v);
              v = store<T>(C(r / (1 + std::exp(-r))));
            }
            py[bc * length + t] = v;
          }
          if (state)
            for (int64_t t = 0; t < k - 1; ++t) state[bc * (k - 1) + t] = store<T>(padded[size_t(padded_len - (k - 1) + t)]);
        }
    });
  }

 private:
  bool silu_;
};

class tensor_scatter_kernel final : public kernel {
 public:
  tensor_scatter_kernel(int64_t axis, bool circular) : axis_(axis), circular_(circular) {}

  void execute(const exec_args& args) const override {
    const tensor &cache = args.in.at(0), &update = args.in.at(1), &y = args.out.at(0);
    const size_t axis = size_t(normalize_axis(axis_, cache.rank()));
    const int64_t batch = cache.shape[0], max_len = cache.shape[axis], len = update.shape[axis];
    std::vector<int64_t> where(size_t(batch), 0);
    if (args.input(2).present()) {
      where = read_int_tensor(args.input(2), "write_indices");
      if (int64_t(where.size()) != batch)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "write_indices has ", where.size(), " entries, the batch is ", batch);
    }
    if (y.data != cache.data) std::memcpy(y.data, cache.data, cache.bytes());
    // Each prefix index (dims before axis) owns max_len (cache) or len (update) rows of `row` bytes.
    const size_t row = size_t(product(cache.shape, axis + 1)) * dtype_size(cache.dtype);
    const int64_t prefixes = product(cache.shape, 0, axis), per_batch = prefixes / std::max<int64_t>(batch, 1);
    auto* dst = y.as<uint8_t>();
    const auto* src = update.as<const uint8_t>();
    for (int64_t p = 0; p < prefixes; ++p) {
      const int64_t start = where[size_t(p / per_batch)];
      if (start < 0 || (!circular_ && start + len > max_len))
        fail(MIRT_STATUS_INVALID_ARGUMENT, "write_indices[", p / per_batch, "] is ", start, ": ", len,
             " updates do not fit a cache of ", max_len, " (mode linear)");
      for (int64_t s = 0; s < len; ++s) {
        const int64_t at = circular_ ? (start + s) % max_len : start + s;
        if (row > 0) std::memcpy(dst + size_t(p * max_len + at) * row, src + size_t(p * len + s) * row, row);
      }
    }
  }

 private:
  int64_t axis_;
  bool circular_;
};

}  // namespace

void add_decode_state_ops(std::vector<op_entry>& t) {
  t.push_back({"CausalConvWithState", "ref_causal_conv_with_state",
               [](const node_view& node, std::string& why) { return float_input_at(node, 0, why); },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 const std::string activation = node.attr_string("activation", "none");
                 return std::make_unique<causal_conv_kernel>(activation == "silu" || activation == "swish");
               }});
  t.push_back({"TensorScatter", "ref_tensor_scatter",
               [](const node_view& node, std::string& why) {
                 if (dtype_size(node.input_dtype(0)) == 0) {
                   why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
                   return false;
                 }
                 return !node.has_input(2) || input_dtype_in(node, 2, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<tensor_scatter_kernel>(node.attr_int("axis", -2), node.attr_string("mode", "linear") == "circular");
               }});
}

}  // namespace mirt::cpu
