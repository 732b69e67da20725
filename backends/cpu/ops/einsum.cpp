// backends/cpu/ops/einsum.cpp — Einsum over any equation: explicit or implicit output, "..."
// broadcast dims, repeated labels (diagonals). Every label gets a stride per operand (the sum over
// the dims it names: a diagonal walks both at once; 0 where an operand lacks it or broadcasts);
// one odometer over all labels then accumulates the products into the output. Floats accumulate
// in float32/float64 (16-bit types in float32), integers in int64.
#include <algorithm>
#include <map>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

// An operand's labels, one per dim, after expanding "..." into codes 0, 1, ... (right-aligned
// across operands, so code e is the e-th of the `ell` broadcast dims).
std::vector<int> expand(const std::string& term, size_t rank, size_t ell) {
  std::vector<int> labels;
  size_t letters = 0;
  for (size_t i = 0; i < term.size(); ++i) {
    if (term[i] == '.') {
      i += 2;
      continue;
    }
    ++letters;
  }
  const size_t mine = rank - letters;  // this operand's ellipsis dims
  for (size_t i = 0; i < term.size(); ++i) {
    if (term[i] == '.') {
      for (size_t e = 0; e < mine; ++e) labels.push_back(int(ell - mine + e));
      i += 2;
    } else {
      labels.push_back(256 + term[i]);
    }
  }
  return labels;
}

class einsum_kernel final : public kernel {
 public:
  explicit einsum_kernel(std::string equation) {
    for (char c : equation)
      if (c != ' ') eq_ += c;
  }

  void execute(const exec_args& args) const override {
    const size_t arrow = eq_.find("->");
    const std::string lhs = eq_.substr(0, arrow);
    std::vector<std::string> terms;
    for (size_t start = 0;;) {
      const size_t comma = lhs.find(',', start);
      terms.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (terms.size() != args.in.size()) fail(MIRT_STATUS_INVALID_GRAPH, "equation '", eq_, "' does not match the inputs");
    size_t ell = 0;
    for (size_t i = 0; i < terms.size(); ++i) {
      size_t letters = 0;
      for (size_t k = 0; k < terms[i].size(); ++k) terms[i][k] == '.' ? (void)(k += 2) : (void)++letters;
      ell = std::max(ell, args.in[i].rank() - letters);
    }
    // Extents and per-operand strides of every label.
    std::map<int, int64_t> extent;
    std::map<int, int> uses;
    std::vector<std::vector<int>> in_labels;
    for (size_t i = 0; i < terms.size(); ++i) {
      in_labels.push_back(expand(terms[i], args.in[i].rank(), ell));
      for (size_t d = 0; d < in_labels[i].size(); ++d) {
        int64_t& e = extent[in_labels[i][d]];
        e = std::max(e, args.in[i].shape[d]);
        ++uses[in_labels[i][d]];
      }
    }
    std::vector<int> out_labels;
    if (arrow == std::string::npos) {
      for (size_t e = 0; e < ell; ++e) out_labels.push_back(int(e));
      for (const auto& [label, n] : uses)
        if (label >= 256 && n == 1) out_labels.push_back(label);
    } else {
      out_labels = expand(eq_.substr(arrow + 2), args.out.at(0).rank(), ell);
    }
    std::vector<int> order = out_labels;  // output labels first, then the summed ones
    for (const auto& [label, e] : extent)
      if (std::find(order.begin(), order.end(), label) == order.end()) order.push_back(label);
    const size_t nl = order.size(), ni = args.in.size();
    std::vector<int64_t> ext(nl), out_stride(nl, 0);
    std::vector<std::vector<int64_t>> in_stride(ni, std::vector<int64_t>(nl, 0));
    for (size_t l = 0; l < nl; ++l) ext[l] = extent[order[l]];
    const dims ostr = dense_strides(args.out[0].shape);
    for (size_t d = 0; d < out_labels.size(); ++d) out_stride[size_t(std::find(order.begin(), order.end(), out_labels[d]) - order.begin())] += ostr[d];
    for (size_t i = 0; i < ni; ++i) {
      const dims str = dense_strides(args.in[i].shape);
      for (size_t d = 0; d < in_labels[i].size(); ++d) {
        const size_t l = size_t(std::find(order.begin(), order.end(), in_labels[i][d]) - order.begin());
        if (args.in[i].shape[d] == ext[l]) in_stride[i][l] += str[d];
        else if (args.in[i].shape[d] != 1)
          fail(MIRT_STATUS_INVALID_SHAPE, "input ", i, " dim ", d, " has extent ", args.in[i].shape[d], ", expected ", ext[l]);
      }
    }
    dispatch_any(args.out[0].dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, bool_t>) fail(MIRT_STATUS_UNSUPPORTED, "bool inputs");
      else run<T>(args, ext, in_stride, out_stride);
    });
  }

 private:
  template <class T>
  static void run(const exec_args& args, const std::vector<int64_t>& ext, const std::vector<std::vector<int64_t>>& in_stride,
                  const std::vector<int64_t>& out_stride) {
    using W = decltype(widen(T{}));
    using A = std::conditional_t<std::is_integral_v<W>, int64_t, W>;
    const tensor& out = args.out[0];
    std::vector<A> acc(static_cast<size_t>(out.numel()), A(0));
    const size_t nl = ext.size(), ni = args.in.size();
    int64_t total = 1;
    for (int64_t e : ext) total *= e;
    std::vector<int64_t> idx(nl, 0), in_off(ni, 0);
    int64_t out_off = 0;
    for (int64_t step = 0; step < total; ++step) {
      A p = A(1);
      for (size_t i = 0; i < ni; ++i) p = A(p * A(widen(args.in[i].as<const T>()[in_off[i]])));
      acc[size_t(out_off)] += p;
      for (size_t l = nl; l-- > 0;) {
        out_off += out_stride[l];
        for (size_t i = 0; i < ni; ++i) in_off[i] += in_stride[i][l];
        if (++idx[l] < ext[l]) break;
        out_off -= out_stride[l] * ext[l];
        for (size_t i = 0; i < ni; ++i) in_off[i] -= in_stride[i][l] * ext[l];
        idx[l] = 0;
      }
    }
    T* py = out.as<T>();
    for (size_t i = 0; i < acc.size(); ++i) py[i] = convert<T>(acc[i]);
  }

  std::string eq_;
};

bool einsum_supports(const node_view& node, std::string& why) {
  for (size_t i = 0; i < node.num_inputs(); ++i)
    if (!input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  return input_dtype_in(node, 0,
                        {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16, MIRT_DTYPE_INT32,
                         MIRT_DTYPE_INT64},
                        why);
}

}  // namespace

void add_einsum_ops(std::vector<op_entry>& t) {
  t.push_back({"Einsum", "ref_einsum", einsum_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<einsum_kernel>(node.attr_string("equation", ""));
               }});
}

}  // namespace mirt::cpu
