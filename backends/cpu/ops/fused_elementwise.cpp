// backends/cpu/ops/fused_elementwise.cpp — mirt::FusedElementwise (float32): the builder's fused
// group of elementwise layers, run as one pass over the data. Each block of values goes through
// every step before the next block is read, so it stays in cache; within a step the loop over the
// block vectorizes. Large tensors split into runs of whole blocks over the pool's threads.
#include <algorithm>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/parallel.hpp"
#include "backends/support/pointwise_program.hpp"

namespace mirt::cpu {
namespace {

class fused_elementwise_kernel final : public kernel {
 public:
  explicit fused_elementwise_kernel(const pointwise_program& program) : p_(program) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const float* in = x.as<const float>();
    float* out = y.as<float>();
    // Threads take whole blocks, so each value goes through the steps as on one thread.
    parallel_for(x.numel(), k_grain_costly, [&](int64_t first, int64_t last) { run(in, out, first, last); }, k_block);
  }

 private:
  static constexpr int64_t k_block = 256;

  void run(const float* in, float* out, int64_t first, int64_t last) const {
    constexpr int64_t block = k_block;
    float r[k_max_pointwise_steps + 1][block];
    for (int64_t begin = first; begin < last; begin += block) {
      const int64_t count = std::min(block, last - begin);
      std::copy(in + begin, in + begin + count, r[0]);
      for (int s = 0; s < p_.steps; ++s) {
        const float* a = p_.a[s] >= 0 ? r[p_.a[s]] : nullptr;
        const float* b = p_.b[s] >= 0 ? r[p_.b[s]] : nullptr;
        const float ca = a ? 0.0f : p_.constants[-p_.a[s] - 1], cb = b ? 0.0f : p_.constants[-p_.b[s] - 1];
        float* dst = r[s + 1];
        const pointwise_op op = p_.op[s];
        for (int64_t i = 0; i < count; ++i) dst[i] = apply_pointwise(op, a ? a[i] : ca, b ? b[i] : cb);
      }
      std::copy(r[p_.steps], r[p_.steps] + count, out + begin);
    }
  }

  pointwise_program p_;
};

bool supports(const node_view& node, std::string& why) {
  pointwise_program program;
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32}, why) || !read_pointwise_program(node, program, why)) return false;
  if (node.output_dtype(0) == MIRT_DTYPE_FLOAT32) return true;
  why = "the cpu FusedElementwise writes float32 (output_dtype 1)";
  return false;
}

}  // namespace

void add_fused_elementwise_ops(std::vector<op_entry>& t) {
  t.push_back({"FusedElementwise", "ref_pointwise_program", supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 pointwise_program program;
                 std::string why;
                 if (!read_pointwise_program(node, program, why)) fail(MIRT_STATUS_INVALID_GRAPH, why);
                 return std::make_unique<fused_elementwise_kernel>(program);
               }});
}

}  // namespace mirt::cpu
