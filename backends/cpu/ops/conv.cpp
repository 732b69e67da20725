// backends/cpu/ops/conv.cpp — Conv and ConvTranspose on oneDNN (1D runs as 2D with a unit height).
//
// Primitives depend on the concrete input shape, so each kernel keeps a small cache keyed by the
// shapes it has seen; constant weights are reordered once per entry into the layout the primitive
// chose (format_tag::any), non-constant weights on every call. The caller's activations are NCHW;
// inside, the primitive runs on oneDNN's own choice of layout (often NHWC), on nChw16c, or on plain
// NCHW: blocked direct convolutions are usually several times faster than the gemm-based ones for
// plain NCHW, but for few channels or batch 1 the per-call reorders can cost more than they save.
// Each layout is a tactic of its own, so the builder times them and the plan records the choice.
// The reorder primitives are made with the entry, and every per-call buffer (blocked src/dst,
// non-constant weights, the scratchpad) comes from the workspace. mirt::FusedConv (the builder's
// Conv [+ residual Add] [+ activation]) runs the residual as a sum post-op (the residual is put
// into the destination first) and the activation as an eltwise post-op, in the same pass.
#include <cstring>
#include <optional>
#include <tuple>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/cpu/onednn.hpp"

namespace mirt::cpu {
namespace {

using dnnl::memory;

struct conv_attrs {
  int64_t group = 1;
  std::string auto_pad;
  dims strides, dilations, pads, output_padding;  // empty: ONNX defaults
};

conv_attrs read_attrs(const node_view& node) {
  conv_attrs a;
  a.group = node.attr_int("group", 1);
  a.auto_pad = node.attr_string("auto_pad", "NOTSET");
  a.strides = node.attr_ints("strides", {});
  a.dilations = node.attr_ints("dilations", {});
  a.pads = node.attr_ints("pads", {});
  a.output_padding = node.attr_ints("output_padding", {});
  if (a.group < 1) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'group' is ", a.group, ", expected >= 1");
  if (a.auto_pad != "NOTSET" && a.auto_pad != "VALID" && a.auto_pad != "SAME_UPPER" && a.auto_pad != "SAME_LOWER")
    fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'auto_pad' is '", a.auto_pad, "'");
  return a;
}

// Geometry of one spatial layout, in oneDNN's terms (dilation counted from 0).
struct geometry {
  memory::dims strides, dilates, pad_l, pad_r, kernel;
};

int64_t at_or(const dims& v, size_t i, int64_t fallback) { return i < v.size() ? v[i] : fallback; }

// For Conv: pads from the attribute or auto_pad, the end pad from the concrete output extent.
// For ConvTranspose: the begin pad likewise; the end pad absorbs output_padding and output_shape.
geometry make_geometry(const conv_attrs& a, const dims& x, const dims& w, const dims& y, bool transposed) {
  const size_t sr = x.size() - 2;
  geometry g;
  for (size_t i = 0; i < sr; ++i) {
    const int64_t s = at_or(a.strides, i, 1), d = at_or(a.dilations, i, 1), k = w[2 + i];
    const int64_t in = x[2 + i], out = y[2 + i], span = (k - 1) * d + 1;
    int64_t pl = 0;
    if (a.auto_pad == "NOTSET") {
      pl = at_or(a.pads, i, 0);
    } else if (a.auto_pad != "VALID") {
      const int64_t total = transposed ? s * (in - 1) + at_or(a.output_padding, i, 0) + span - out
                                       : std::max<int64_t>(0, (out - 1) * s + span - in);
      const bool upper = a.auto_pad == "SAME_UPPER";
      pl = upper ? total / 2 : total - total / 2;
    }
    int64_t pr;
    if (transposed) pr = (in - 1) * s + span - pl - out;
    else if (a.auto_pad == "NOTSET") pr = at_or(a.pads, sr + i, 0);
    else pr = std::max<int64_t>(0, (out - 1) * s + span - in - pl);
    g.strides.push_back(s);
    g.dilates.push_back(d - 1);
    g.pad_l.push_back(pl);
    g.pad_r.push_back(pr);
    g.kernel.push_back(k);
  }
  if (sr == 1) {  // 1D as 2D: a leading unit dimension
    for (auto* v : {&g.strides, &g.kernel}) v->insert(v->begin(), 1);
    for (auto* v : {&g.dilates, &g.pad_l, &g.pad_r}) v->insert(v->begin(), 0);
  }
  return g;
}

dims as_2d_if_1d(dims d) {
  if (d.size() == 3) d.insert(d.begin() + 2, 1);
  return d;
}

// The user's ONNX weights as a oneDNN desc: Conv W is [M, C/g, k...] (goihw); ConvTranspose W is
// [C, M/g, k...], i.e. g,i,o order, described here through strides.
memory::desc user_weights_desc(const dims& w, int64_t group, bool transposed, int64_t out_channels) {
  const dims w4 = as_2d_if_1d(w);
  const int64_t ksize = product(w4, 2);
  memory::dims md_dims, md_strides;
  const int64_t ocg = transposed ? w4[1] : w4[0] / group, icg = transposed ? w4[0] / group : w4[1];
  (void)out_channels;
  if (group > 1) md_dims.push_back(group);
  md_dims.insert(md_dims.end(), {ocg, icg});
  if (group > 1) md_strides.push_back(ocg * icg * ksize);
  if (transposed) md_strides.insert(md_strides.end(), {ksize, ocg * ksize});
  else md_strides.insert(md_strides.end(), {icg * ksize, ksize});
  const dims spatial_strides = dense_strides(dims(w4.begin() + 2, w4.end()));
  md_dims.insert(md_dims.end(), w4.begin() + 2, w4.end());
  md_strides.insert(md_strides.end(), spatial_strides.begin(), spatial_strides.end());
  return memory::desc(md_dims, memory::data_type::f32, md_strides);
}

// One prepared primitive for a concrete shape; weights_mem is set when the weights are constant.
// The reorders between the caller's dense layouts and the primitive's are prepared with it.
struct conv_entry {
  dnnl::primitive prim;
  // shared_ptr: made from a unique_ptr to the concrete desc, it deletes through the right type
  // (primitive_desc_base has no virtual destructor).
  std::shared_ptr<dnnl::primitive_desc_base> pd;
  memory::desc src_md, dst_md, weights_md, user_weights_md, bias_md;
  memory::desc user_src_md, user_dst_md;  // dense NC(D)HW as the caller holds them
  dnnl::reorder src_reorder, dst_reorder, weights_reorder;  // set where the layouts differ
  dnnl::reorder residual_reorder;  // FusedConv's residual into a blocked destination
  bool reorder_src = false, reorder_dst = false;
  memory weights_mem;
  std::vector<uint8_t> weights_store;
  size_t workspace = 0;  // scratchpad + blocked src/dst (+ weights when not constant)
};

// Activation layouts a convolution may run in. The caller's is plain NC(D)HW, except for nhwc: a
// mirt::FusedConv with layout "NHWC" (the builder's layout pass) whose caller holds X, Z and Y
// channels-last, which the primitive reads and writes in place (no reorder); nhwc_any: the same
// caller, but the primitive runs in oneDNN's own choice of layout with reorders where it differs
// (for the few shapes where oneDNN has no fast NHWC kernel; the builder times the two).
enum class layout { any, blocked16, plain, nhwc, nhwc_any };

void* align64(uint8_t* p) { return reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(p) + 63) & ~uintptr_t(63)); }

void run_reorder(const dnnl::reorder& r, const memory& from, const memory& to) {
  dnnl::stream& s = onednn_stream();
  r.execute(s, const_cast<memory&>(from), const_cast<memory&>(to));
  s.wait();
}

// FusedConv's activations as oneDNN eltwise algorithms (alpha, beta from the attributes), or
// nullopt for one the kernel cannot fuse.
std::optional<std::tuple<dnnl::algorithm, float, float>> fused_activation(const node_view& node) {
  const std::string act = node.attr_string("activation", "");
  const float alpha = node.attr_float("activation_alpha", 0.f), beta = node.attr_float("activation_beta", 0.f);
  if (act == "Relu") return std::tuple{dnnl::algorithm::eltwise_relu, 0.f, 0.f};
  if (act == "LeakyRelu") return std::tuple{dnnl::algorithm::eltwise_relu, node.attr_float("activation_alpha", 0.01f), 0.f};
  if (act == "Sigmoid") return std::tuple{dnnl::algorithm::eltwise_logistic, 0.f, 0.f};
  if (act == "Tanh") return std::tuple{dnnl::algorithm::eltwise_tanh, 0.f, 0.f};
  if (act == "HardSwish") return std::tuple{dnnl::algorithm::eltwise_hardswish, 0.f, 0.f};
  if (act == "Clip" && alpha <= beta) return std::tuple{dnnl::algorithm::eltwise_clip, alpha, beta};
  return std::nullopt;
}

// Sum (residual) then activation, the order of activation(Conv + Z).
dnnl::post_ops fused_post_ops(const node_view& node, bool residual) {
  dnnl::post_ops ops;
  if (residual) ops.append_sum(1.f);
  if (!node.attr_string("activation", "").empty()) {
    const auto act = fused_activation(node);
    if (!act) fail(MIRT_STATUS_UNSUPPORTED, "FusedConv activation '", node.attr_string("activation", ""), "'");
    ops.append_eltwise(1.f, std::get<0>(*act), std::get<1>(*act), std::get<2>(*act));
  }
  return ops;
}

class conv_kernel final : public kernel {
 public:
  conv_kernel(const node_view& node, bool transposed, layout io)
      : attrs_(read_attrs(node)), transposed_(transposed), has_bias_(node.has_input(2)), layout_(io),
        has_residual_(node.op_type() == "FusedConv" && node.has_input(3)) {
    if (node.op_type() == "FusedConv") post_ops_ = fused_post_ops(node, has_residual_);
    if (node.input(0).rank < 3 || node.input(0).rank > 5)
      fail(MIRT_STATUS_UNSUPPORTED, "input rank ", node.input(0).rank, " (supported: 3 to 5, i.e. 1D to 3D)");
    if (const void* w = node.constant(1)) {
      const auto* p = static_cast<const float*>(w);
      const_weights_.assign(p, p + product(to_dims(node.input(1))));
    }
    if (const void* b = node.constant(2)) {
      const auto* p = static_cast<const float*>(b);
      const_bias_.assign(p, p + product(to_dims(node.input(2))));
    }
  }

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    if (in.size() < 2 || out.empty() || product(out[0]) == 0) return 0;
    return entry(in[0], in[1], out[0]).workspace;
  }

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &w = args.in.at(1), &y = args.out.at(0);
    if (y.numel() == 0) return;
    try {
      const conv_entry& e = entry(x.shape, w.shape, y.shape);
      const dnnl::engine& eng = onednn_engine();
      scratch ws(args, e.workspace);
      memory weights = e.weights_mem;
      if (!weights) {
        weights = memory(e.weights_md, eng, ws.take(e.weights_md.get_size()));
        if (e.weights_reorder) run_reorder(e.weights_reorder, memory(e.user_weights_md, eng, w.data), weights);
        else std::memcpy(weights.get_data_handle(), w.data, e.weights_md.get_size());
      }
      void* bias = !has_bias_ ? nullptr : const_bias_.empty() ? args.in.at(2).data : const_cast<float*>(const_bias_.data());
      run_entry(e, x.data, weights, bias, has_residual_ ? args.in.at(3).data : nullptr, y.data, ws);
    } catch (const dnnl::error& err) {
      onednn_fail(err, transposed_ ? "running a deconvolution" : "running a convolution");
    }
  }

 private:
  // src/dst reorders (where the entry's layouts are blocked) around the primitive.
  void run_entry(const conv_entry& e, void* x, const memory& weights, void* bias, void* residual, void* y,
                 scratch& ws) const {
    const dnnl::engine& eng = onednn_engine();
    // Blocked activations live in the workspace (kernels may run concurrently).
    memory src(e.user_src_md, eng, x), dst(e.user_dst_md, eng, y);
    if (e.reorder_src) {
      memory blocked(e.src_md, eng, ws.take(e.src_md.get_size()));
      run_reorder(e.src_reorder, src, blocked);
      src = blocked;
    }
    memory user_dst = dst;
    if (e.reorder_dst) dst = memory(e.dst_md, eng, ws.take(e.dst_md.get_size()));
    if (residual != nullptr) {  // the sum post-op adds the destination's contents
      if (e.reorder_dst) run_reorder(e.residual_reorder, memory(e.user_dst_md, eng, residual), dst);
      else if (residual != y) std::memcpy(y, residual, e.user_dst_md.get_size());
    }
    std::unordered_map<int, memory> io = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
    if (bias != nullptr) io[DNNL_ARG_BIAS] = memory(e.bias_md, eng, bias);
    onednn_execute(e.prim, *e.pd, ws, std::move(io));
    if (e.reorder_dst) run_reorder(e.dst_reorder, dst, user_dst);
  }

  const conv_entry& entry(const dims& x, const dims& w, const dims& y) const {
    shape_key key;
    key.add(x).add(w).add(y);
    return cache_.get(key, [&] { return build(x, w, y); });
  }

  // Prepares the primitive for one shape, in this kernel's layout.
  std::unique_ptr<conv_entry> build(const dims& x, const dims& w, const dims& y) const {
    std::unique_ptr<conv_entry> e = candidate(x, w, y, layout_);
    if (!const_weights_.empty()) {
      const auto& eng = onednn_engine();
      e->weights_store.resize(e->weights_md.get_size() + 64);
      e->weights_mem = memory(e->weights_md, eng, align64(e->weights_store.data()));
      memory user(e->user_weights_md, eng, const_cast<float*>(const_weights_.data()));
      run_reorder(dnnl::reorder(user, e->weights_mem), user, e->weights_mem);
    }
    return e;
  }

  std::unique_ptr<conv_entry> candidate(const dims& x, const dims& w, const dims& y, layout io) const {
    const int64_t g = attrs_.group;
    if (x.size() < 3 || w.size() != x.size() || y.size() != x.size())
      fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x), ", weights ", dims_string(w), " and output ",
           dims_string(y), " must have one rank of 3 to 5");
    if (transposed_ ? x[1] != w[0] : x[1] != w[1] * g)
      fail(MIRT_STATUS_INVALID_SHAPE, "input channels ", x[1], " do not match weights ", dims_string(w), " with group ", g);
    const geometry geo = make_geometry(attrs_, x, w, y, transposed_);
    const dims x4 = as_2d_if_1d(x), y4 = as_2d_if_1d(y), w4 = as_2d_if_1d(w);
    memory::dims wd;
    const int64_t ocg = y[1] / g, icg = x[1] / g;
    if (g > 1) wd.push_back(g);
    wd.insert(wd.end(), {ocg, icg});
    wd.insert(wd.end(), w4.begin() + 2, w4.end());

    auto e = std::make_unique<conv_entry>();
    const bool nhwc_caller = io == layout::nhwc || io == layout::nhwc_any;
    e->user_src_md = nhwc_caller ? nhwc_desc(x4) : plain_desc(x4);
    e->user_dst_md = nhwc_caller ? nhwc_desc(y4) : plain_desc(y4);
    const memory::format_tag tag = io == layout::any || io == layout::nhwc_any ? memory::format_tag::any
                                   : x4.size() == 4         ? memory::format_tag::nChw16c
                                                            : memory::format_tag::nCdhw16c;
    const bool caller_layout = io == layout::plain || io == layout::nhwc;
    const memory::desc any_src = caller_layout ? e->user_src_md
                                                     : memory::desc(memory::dims(x4.begin(), x4.end()), memory::data_type::f32, tag);
    const memory::desc any_dst = caller_layout ? e->user_dst_md
                                                     : memory::desc(memory::dims(y4.begin(), y4.end()), memory::data_type::f32, tag);
    e->user_weights_md = user_weights_desc(w, g, transposed_, y[1]);
    const memory::desc any_w(wd, memory::data_type::f32, memory::format_tag::any);
    e->bias_md = memory::desc({y[1]}, memory::data_type::f32, memory::format_tag::x);
    dnnl::primitive_attr attr = base_attr();
    if (post_ops_.len() > 0) attr.set_post_ops(post_ops_);
    const auto& eng = onednn_engine();
    if (transposed_) {
      auto d = has_bias_ ? dnnl::deconvolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                             dnnl::algorithm::deconvolution_direct, any_src, any_w,
                                                             e->bias_md, any_dst, geo.strides, geo.dilates, geo.pad_l, geo.pad_r)
                         : dnnl::deconvolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                             dnnl::algorithm::deconvolution_direct, any_src, any_w,
                                                             any_dst, geo.strides, geo.dilates, geo.pad_l, geo.pad_r);
      auto pd = std::make_unique<dnnl::deconvolution_forward::primitive_desc>(d, attr, eng);
      e->weights_md = pd->weights_desc();
      e->src_md = pd->src_desc();
      e->dst_md = pd->dst_desc();
      e->prim = dnnl::deconvolution_forward(*pd);
      e->pd = std::move(pd);
    } else {
      auto d = has_bias_ ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                           dnnl::algorithm::convolution_direct, any_src, any_w, e->bias_md,
                                                           any_dst, geo.strides, geo.dilates, geo.pad_l, geo.pad_r)
                         : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                           dnnl::algorithm::convolution_direct, any_src, any_w,
                                                           any_dst, geo.strides, geo.dilates, geo.pad_l, geo.pad_r);
      auto pd = std::make_unique<dnnl::convolution_forward::primitive_desc>(d, attr, eng);
      e->weights_md = pd->weights_desc();
      e->src_md = pd->src_desc();
      e->dst_md = pd->dst_desc();
      e->prim = dnnl::convolution_forward(*pd);
      e->pd = std::move(pd);
    }
    e->reorder_src = e->src_md != e->user_src_md;
    e->reorder_dst = e->dst_md != e->user_dst_md;
    if (e->reorder_src) e->src_reorder = dnnl::reorder(dnnl::reorder::primitive_desc(eng, e->user_src_md, eng, e->src_md));
    if (e->reorder_dst) e->dst_reorder = dnnl::reorder(dnnl::reorder::primitive_desc(eng, e->dst_md, eng, e->user_dst_md));
    if (e->reorder_dst && has_residual_)
      e->residual_reorder = dnnl::reorder(dnnl::reorder::primitive_desc(eng, e->user_dst_md, eng, e->dst_md));
    e->workspace = scratchpad_bytes(*e->pd) + (e->reorder_src ? scratch_round(e->src_md.get_size()) : 0) +
                   (e->reorder_dst ? scratch_round(e->dst_md.get_size()) : 0);
    if (const_weights_.empty()) {
      if (e->weights_md != e->user_weights_md)
        e->weights_reorder = dnnl::reorder(dnnl::reorder::primitive_desc(eng, e->user_weights_md, eng, e->weights_md));
      e->workspace += scratch_round(e->weights_md.get_size());
    }
    return e;
  }

  conv_attrs attrs_;
  bool transposed_;
  bool has_bias_;
  layout layout_;
  bool has_residual_;
  dnnl::post_ops post_ops_;  // FusedConv's sum and activation
  std::vector<float> const_weights_, const_bias_;
  shape_cache<conv_entry> cache_;
};

// `layout` "NCHW" (or none) for Conv and ConvTranspose, "NHWC" too for FusedConv (2-D only).
bool conv_supports_layout(const node_view& node, std::string& why, const char* wanted) {
  std::string layout = node.attr_string("layout", "");
  if (layout.empty()) layout = "NCHW";
  if (layout != wanted) {
    why = cat("layout '", layout, "' (this tactic takes ", wanted, ")");
    return false;
  }
  if (node.op_type() == "FusedConv" && !node.attr_string("activation", "").empty() && !fused_activation(node)) {
    why = cat("FusedConv activation '", node.attr_string("activation", ""),
              "' (supported: Relu, LeakyRelu, Sigmoid, Tanh, HardSwish, Clip)");
    return false;
  }
  for (size_t i = 0; i < std::min<size_t>(node.num_inputs(), 4); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32}, why)) return false;
  if (node.input(0).rank < 3 || node.input(0).rank > 5) {
    why = cat("input rank ", node.input(0).rank, ", supported 3 to 5");
    return false;
  }
  if (std::string_view(wanted) == "NHWC" && node.input(0).rank != 4) {
    why = cat("an NHWC convolution is 2-D; the input rank is ", node.input(0).rank);
    return false;
  }
  return true;
}

bool conv_supports(const node_view& node, std::string& why) { return conv_supports_layout(node, why, "NCHW"); }
bool nhwc_conv_supports(const node_view& node, std::string& why) { return conv_supports_layout(node, why, "NHWC"); }

// Channel blocks of 16 only where the channels of every group fill them (else oneDNN falls back
// to reference code); the extents must be known when the plan is built.
bool blocked16_supports(const node_view& node, std::string& why) {
  if (!conv_supports(node, why)) return false;
  const int64_t group = node.attr_int("group", 1);
  const int64_t in_channels = node.input(0).dims[1], out_channels = node.output(0).dims[1];
  if (group <= 0 || in_channels <= 0 || out_channels <= 0 || (in_channels / group) % 16 != 0 ||
      (out_channels / group) % 16 != 0) {
    why = cat("channels per group (", in_channels, " in, ", out_channels, " out, group ", group,
              ") are not known multiples of 16");
    return false;
  }
  return true;
}

template <bool Transposed, layout Io>
std::unique_ptr<kernel> make_conv(const node_view& node) {
  return std::make_unique<conv_kernel>(node, Transposed, Io);
}

// n values of a float dtype, widened to float32.
std::vector<float> to_float32(const void* data, int64_t n, mirt_dtype dtype) {
  std::vector<float> r(static_cast<size_t>(n));
  dispatch_float(dtype, [&](auto tag) {
    const auto* p = static_cast<const typename decltype(tag)::type*>(data);
    for (size_t i = 0; i < r.size(); ++i) r[i] = float(load(p[i]));
  });
  return r;
}

// Conv and ConvTranspose of float16/bfloat16: the operands are widened to float32, the float32
// kernel runs on them (constant weights prepared once, as there), and the result is rounded back
// once. The widened copies are per-call heap buffers: this is a correctness path, not a fast one.
class widened_conv_kernel final : public kernel {
 public:
  widened_conv_kernel(const node_view& node, bool transposed) : dtype_(node.input_dtype(0)) {
    mirt_node_info info = node.info();
    std::vector<mirt_tensor_desc> inputs(info.inputs, info.inputs + info.num_inputs), outputs(info.outputs, info.outputs + info.num_outputs);
    for (auto* descs : {&inputs, &outputs})
      for (mirt_tensor_desc& d : *descs)
        if (d.dtype == dtype_) d.dtype = MIRT_DTYPE_FLOAT32;
    std::vector<std::vector<float>> constants(info.num_inputs);
    std::vector<const void*> constant_data(info.num_inputs, nullptr);
    for (size_t i = 0; i < info.num_inputs; ++i)
      if (const void* c = node.constant(i)) {
        constants[i] = to_float32(c, product(to_dims(node.input(i))), dtype_);
        constant_data[i] = constants[i].data();
      }
    info.inputs = inputs.data();
    info.outputs = outputs.data();
    if (info.constant_data != nullptr) info.constant_data = constant_data.data();
    inner_ = std::make_unique<conv_kernel>(node_view(info), transposed, layout::plain);  // copies what it keeps
  }

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    return inner_->workspace_size(in, out);
  }

  void execute(const exec_args& args) const override {
    const tensor& y = args.out.at(0);
    if (y.numel() == 0) return;
    exec_args wide;
    wide.workspace = args.workspace;
    wide.workspace_size = args.workspace_size;
    std::vector<std::vector<float>> buffers(args.in.size() + 1);
    for (size_t i = 0; i < args.in.size(); ++i) {
      const tensor& t = args.in[i];
      if (!t.present()) {
        wide.in.push_back(t);
        continue;
      }
      if (t.dtype != dtype_) fail(MIRT_STATUS_INVALID_ARGUMENT, "input ", i, " has dtype ", dtype_name(t.dtype), ", expected ", dtype_name(dtype_));
      buffers[i] = to_float32(t.data, t.numel(), t.dtype);
      wide.in.push_back(tensor{MIRT_DTYPE_FLOAT32, t.shape, buffers[i].data()});
    }
    std::vector<float>& out = buffers.back();
    out.resize(size_t(y.numel()));
    wide.out.push_back(tensor{MIRT_DTYPE_FLOAT32, y.shape, out.data()});
    inner_->execute(wide);
    dispatch_float(y.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* py = y.as<T>();
      for (size_t i = 0; i < out.size(); ++i) py[i] = store<T>(out[i]);
    });
  }

 private:
  mirt_dtype dtype_;
  std::unique_ptr<conv_kernel> inner_;
};

bool half_conv_supports(const node_view& node, std::string& why) {
  if (node.op_type() == "FusedConv" && !node.attr_string("activation", "").empty() && !fused_activation(node)) {
    why = cat("FusedConv activation '", node.attr_string("activation", ""), "'");
    return false;
  }
  if (const std::string layout = node.attr_string("layout", "NCHW"); layout != "NCHW") {
    why = cat("layout '", layout, "' (activations here are NCHW)");
    return false;
  }
  for (size_t i = 0; i < std::min<size_t>(node.num_inputs(), 4); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  if (node.has_input(1) && node.input_dtype(1) != node.input_dtype(0)) {
    why = "the weights' dtype differs from the input's";
    return false;
  }
  if (node.input(0).rank < 3 || node.input(0).rank > 5) {
    why = cat("input rank ", node.input(0).rank, ", supported 3 to 5");
    return false;
  }
  return true;
}

template <bool Transposed>
std::unique_ptr<kernel> make_widened_conv(const node_view& node) {
  return std::make_unique<widened_conv_kernel>(node, Transposed);
}

}  // namespace

// Best-guess first: oneDNN's own layout choice; the builder times the others where it may.
void add_conv_ops(std::vector<op_entry>& t) {
  t.push_back({"Conv", "onednn_conv", conv_supports, make_conv<false, layout::any>});
  t.push_back({"Conv", "onednn_conv_nchw16c", blocked16_supports, make_conv<false, layout::blocked16>});
  t.push_back({"Conv", "onednn_conv_nchw", conv_supports, make_conv<false, layout::plain>});
  t.push_back({"ConvTranspose", "onednn_deconv", conv_supports, make_conv<true, layout::any>});
  t.push_back({"ConvTranspose", "onednn_deconv_nchw16c", blocked16_supports, make_conv<true, layout::blocked16>});
  t.push_back({"ConvTranspose", "onednn_deconv_nchw", conv_supports, make_conv<true, layout::plain>});
  t.push_back({"FusedConv", "onednn_conv", conv_supports, make_conv<false, layout::any>});
  t.push_back({"FusedConv", "onednn_conv_nchw16c", blocked16_supports, make_conv<false, layout::blocked16>});
  t.push_back({"FusedConv", "onednn_conv_nchw", conv_supports, make_conv<false, layout::plain>});
  t.push_back({"FusedConv", "onednn_conv_nhwc", nhwc_conv_supports, make_conv<false, layout::nhwc>});
  t.push_back({"FusedConv", "onednn_conv_nhwc_any", nhwc_conv_supports, make_conv<false, layout::nhwc_any>});
  t.push_back({"Conv", "onednn_conv_widened", half_conv_supports, make_widened_conv<false>});
  t.push_back({"ConvTranspose", "onednn_deconv_widened", half_conv_supports, make_widened_conv<true>});
  t.push_back({"FusedConv", "onednn_conv_widened", half_conv_supports, make_widened_conv<false>});
}

}  // namespace mirt::cpu
