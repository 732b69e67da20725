// backends/cuda/ops/fused_elementwise.cpp — mirt::FusedElementwise (the builder's fused group of
// elementwise layers) in float32, float16 and bfloat16; from float16/bfloat16 also into float32.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/pointwise.hpp"

namespace mirt::cuda {
namespace {

class fused_elementwise_kernel final : public kernel {
 public:
  explicit fused_elementwise_kernel(const support::pointwise_program& program) : program_(program) {}

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    pointwise_params p;
    p.program = program_;
    p.dtype = x.dtype;
    p.out_dtype = y.dtype;
    p.x = x.data;
    p.y = y.data;
    p.n = x.numel();
    throw_if_failed(launch_pointwise(p, args.stream));
  }

 private:
  support::pointwise_program program_;
};

// The output in the input's type, or float32 from float16/bfloat16 (a Cast folded into the program).
bool supports(const node_view& node, std::string& why) {
  support::pointwise_program program;
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why) ||
      !support::read_pointwise_program(node, program, why))
    return false;
  const mirt_dtype in = node.input_dtype(0), out = node.output_dtype(0);
  if (out != in && out != MIRT_DTYPE_FLOAT32) {
    why = "a FusedElementwise program writes its input's type or float32, not " + std::string(dtype_name(out));
    return false;
  }
  return true;
}

}  // namespace

void add_fused_elementwise_ops(std::vector<op_entry>& t) {
  t.push_back({"FusedElementwise", "cuda_pointwise_program", supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 support::pointwise_program program;
                 std::string why;
                 if (!support::read_pointwise_program(node, program, why)) fail(MIRT_STATUS_INVALID_GRAPH, why);
                 return std::make_unique<fused_elementwise_kernel>(program);
               }});
}

}  // namespace mirt::cuda
