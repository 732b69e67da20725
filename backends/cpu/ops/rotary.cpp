// backends/cpu/ops/rotary.cpp — RotaryEmbedding (opset 23): rotates the first rotary_embedding_dim
// values of each head by the (cos, sin) of its position, pairing halves (x[i], x[i + d/2]) or,
// interleaved, neighbours (x[2i], x[2i+1]); the rest of the head is copied.
#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class rotary_kernel final : public kernel {
 public:
  rotary_kernel(bool interleaved, int64_t heads, int64_t rotary_dim) : interleaved_(interleaved), heads_(heads), dim_(rotary_dim) {}

  void execute(const exec_args& args) const override {
    dispatch_float(args.in.at(0).dtype, [&](auto tag) { run<typename decltype(tag)::type>(args); });
  }

 private:
  template <class T>
  void run(const exec_args& args) const {
    using C = compute_type<T>;
    const tensor &x = args.in.at(0), &cos = args.in.at(1), &sin = args.in.at(2), &pos = args.input(3);
    const bool four_d = x.rank() == 4;
    const int64_t b = x.shape[0], heads = four_d ? x.shape[1] : heads_, s = x.shape[four_d ? 2 : 1];
    const int64_t d = four_d ? x.shape[3] : x.shape[2] / heads;
    const int64_t rot = dim_ > 0 ? dim_ : d, half = rot / 2;
    if (rot > d || rot % 2 != 0)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "rotary_embedding_dim ", rot, " must be even and at most the head size ", d);
    if (cos.shape.back() != half || sin.shape.back() != half)
      fail(MIRT_STATUS_INVALID_SHAPE, "the caches' last dim is ", cos.shape.back(), ", expected rotary dim / 2 = ", half);
    std::vector<int64_t> positions;
    if (pos.present()) {
      positions = read_int_tensor(pos, "input 3 (position_ids)");
      if (int64_t(positions.size()) != b * s)
        fail(MIRT_STATUS_INVALID_SHAPE, "input 3 (position_ids) has ", positions.size(), " values, expected ", b * s);
    } else if (cos.numel() != b * s * half) {
      fail(MIRT_STATUS_INVALID_SHAPE, "without position_ids the caches must be (batch, sequence, ", half, ")");
    }
    const int64_t max_pos = cos.shape[0];
    const T *px = x.as<const T>(), *pc = cos.as<const T>(), *ps = sin.as<const T>();
    T* py = args.out.at(0).as<T>();
    for (int64_t bi = 0; bi < b; ++bi)
      for (int64_t si = 0; si < s; ++si) {
        int64_t row = bi * s + si;
        if (!positions.empty()) {
          row = positions[size_t(bi * s + si)];
          if (row < 0 || row >= max_pos)
            fail(MIRT_STATUS_INVALID_ARGUMENT, "position id ", row, " is outside the caches' ", max_pos, " positions");
        }
        const T *c = pc + row * half, *sn = ps + row * half;
        for (int64_t h = 0; h < heads; ++h) {
          // Offset of head h at (bi, si): (B, H, S, D) or (B, S, H*D).
          const int64_t at = four_d ? ((bi * heads + h) * s + si) * d : ((bi * s + si) * heads + h) * d;
          const T* xi = px + at;
          T* yi = py + at;
          for (int64_t i = 0; i < half; ++i) {
            const int64_t i1 = interleaved_ ? 2 * i : i, i2 = interleaved_ ? 2 * i + 1 : i + half;
            const C x1 = load(xi[i1]), x2 = load(xi[i2]), cv = load(c[i]), sv = load(sn[i]);
            yi[i1] = store<T>(cv * x1 - sv * x2);
            yi[i2] = store<T>(sv * x1 + cv * x2);
          }
          for (int64_t i = rot; i < d; ++i) yi[i] = xi[i];
        }
      }
  }

  bool interleaved_;
  int64_t heads_, dim_;
};

bool rotary_supports(const node_view& node, std::string& why) {
  for (size_t i : {1, 2})
    if (!input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  if (node.has_input(3) && !input_dtype_in(node, 3, {MIRT_DTYPE_INT64, MIRT_DTYPE_INT32}, why)) return false;
  return float_input_at(node, 0, why);
}

}  // namespace

void add_rotary_ops(std::vector<op_entry>& t) {
  t.push_back({"RotaryEmbedding", "ref_rotary", rotary_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<rotary_kernel>(node.attr_int("interleaved", 0) != 0, node.attr_int("num_heads", 0),
                                                        node.attr_int("rotary_embedding_dim", 0));
               }});
}

}  // namespace mirt::cpu
