// backends/cuda/ops/bitwise.cpp — BitwiseAnd, BitwiseOr, BitwiseXor (broadcasting), BitwiseNot on
// int8, uint8, int32, int64, and BitShift (direction LEFT or RIGHT) on uint8, as the cpu backend.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/bitwise.hpp"

namespace mirt::cuda {
namespace {

class bitwise_kernel final : public kernel {
 public:
  explicit bitwise_kernel(bitwise_op op) : op_(op) {}
  void execute(const exec_args& args) const override {
    const dtensor &a = args.in.at(0), &out = args.out.at(0);
    const dtensor& b = op_ == bitwise_op::not_ ? a : args.in.at(1);
    bitwise_params p;
    p.op = op_;
    p.dtype = out.dtype;
    p.a = a.data, p.b = b.data, p.out = out.data;
    p.n = out.numel();
    if (p.n == 0) return;
    if (op_ == bitwise_op::not_ && a.numel() != p.n)
      fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(a.shape), " and output ", dims_string(out.shape), " differ");
    p.map = make_map<3>(out.shape, {dense_strides(out.shape), broadcast_strides(a.shape, out.shape),
                                    broadcast_strides(b.shape, out.shape)});
    throw_if_failed(launch_bitwise(p, args.stream));
  }

 private:
  bitwise_op op_;
};

bool bitwise_supports(const node_view& node, std::string& why) {
  const bool shift = node.op_type() == "BitShift";
  if (shift && !input_dtype_in(node, 0, {MIRT_DTYPE_UINT8}, why)) return false;
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_INT8, MIRT_DTYPE_UINT8, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (!input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  return true;
}

std::unique_ptr<kernel> create_bitwise(const node_view& node) {
  const std::string op = node.op_type();
  if (op == "BitShift") {
    const std::string dir = node.attr_string("direction", "");
    if (dir != "LEFT" && dir != "RIGHT") fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'direction' is '", dir, "', expected LEFT or RIGHT");
    return std::make_unique<bitwise_kernel>(dir == "LEFT" ? bitwise_op::shift_left : bitwise_op::shift_right);
  }
  return std::make_unique<bitwise_kernel>(op == "BitwiseAnd"   ? bitwise_op::and_
                                          : op == "BitwiseOr"  ? bitwise_op::or_
                                          : op == "BitwiseXor" ? bitwise_op::xor_
                                                               : bitwise_op::not_);
}

}  // namespace

void add_bitwise_ops(std::vector<op_entry>& t) {
  for (const char* op : {"BitwiseAnd", "BitwiseOr", "BitwiseXor", "BitwiseNot", "BitShift"})
    t.push_back({op, "cuda_bitwise", bitwise_supports, create_bitwise});
}

}  // namespace mirt::cuda
