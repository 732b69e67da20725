// backends/cpu/ops/cast.cpp — Cast between float32, float64, float16, bfloat16, int8, uint8, int32,
// int64 and bool. The target is the output's dtype (the core resolved 'to', or CastLike's input 1).
// Large tensors split into element ranges over the pool's threads (parallel.hpp).
#include <cstring>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/cpu/parallel.hpp"

namespace mirt::cpu {
namespace {

class cast_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &in = args.in.at(0), &out = args.out.at(0);
    const int64_t n = out.numel();
    if (in.dtype == out.dtype) {
      if (out.data != in.data && n > 0) std::memmove(out.data, in.data, out.bytes());
      return;
    }
    dispatch_any(in.dtype, [&](auto from_tag) {
      using From = typename decltype(from_tag)::type;
      dispatch_any(out.dtype, [&](auto to_tag) {
        using To = typename decltype(to_tag)::type;
        const From* src = in.as<const From>();
        To* dst = out.as<To>();
        parallel_for(n, k_grain_cheap, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) dst[i] = convert<To>(src[i]);
        });
      });
    });
  }
};

bool cast_supports(const node_view& node, std::string& why) {
  for (const mirt_dtype dt : {node.input_dtype(0), node.output_dtype(0)})
    if (dtype_size(dt) == 0) {
      why = cat("dtype ", dtype_name(dt), " cannot be cast");
      return false;
    }
  return true;
}

// BitCast: the bytes as they are (the core checked that the element sizes agree).
class bitcast_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    if (y.data != x.data && x.bytes() > 0) std::memcpy(y.data, x.data, x.bytes());
  }
};

}  // namespace

void add_cast_ops(std::vector<op_entry>& t) {
  for (const char* op : {"Cast", "CastLike"})
    t.push_back({op, "ref_cast", cast_supports, [](const node_view&) -> std::unique_ptr<kernel> {
                   return std::make_unique<cast_kernel>();
                 }});
  t.push_back({"BitCast", "ref_bitcast", cast_supports, [](const node_view&) -> std::unique_ptr<kernel> {
                 return std::make_unique<bitcast_kernel>();
               }});
}

}  // namespace mirt::cpu
