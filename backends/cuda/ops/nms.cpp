// backends/cuda/ops/nms.cpp — NonMaxSuppression (center_point_box; max_output_boxes_per_class,
// iou_threshold and score_threshold inputs): the selection runs on the device, one block per
// (batch, class); the kept indices are read back (synchronizing the stream, as the data-dependent
// output shape requires) and written as int64 [kept, 3] rows (batch, class, box).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cstring>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/nms.hpp"

namespace mirt::cuda {
namespace {

// A float (or integer) scalar input read back from the device as double.
double read_scalar(const exec_args& args, size_t i, const char* what) {
  const dtensor& t = args.input(i);
  unsigned char raw[8] = {};
  const size_t es = dtype_size(t.dtype);
  if (es == 0 || es > 8) fail(MIRT_STATUS_INVALID_ARGUMENT, what, " has dtype ", dtype_name(t.dtype));
  cuda_check(cudaMemcpyAsync(raw, t.data, es, cudaMemcpyDeviceToHost, args.stream), "reading ", what);
  cuda_check(cudaStreamSynchronize(args.stream), "reading ", what);
  auto as = [&](auto v) {
    std::memcpy(&v, raw, sizeof v);
    return v;
  };
  switch (t.dtype) {
    case MIRT_DTYPE_FLOAT32: return as(float(0));
    case MIRT_DTYPE_FLOAT64: return as(double(0));
    case MIRT_DTYPE_FLOAT16: return __half2float(__half(as(__half_raw{})));
    case MIRT_DTYPE_BFLOAT16: return __bfloat162float(__nv_bfloat16(as(__nv_bfloat16_raw{})));
    case MIRT_DTYPE_INT32: return as(int32_t(0));
    case MIRT_DTYPE_INT64: return double(as(int64_t(0)));
    default: fail(MIRT_STATUS_INVALID_ARGUMENT, what, " has dtype ", dtype_name(t.dtype), ", expected a number");
  }
}

// The workspace: order [B * C, N] and kept [B * C, min(max_out, N)] (at most N), counts [B * C].
size_t scratch_ints(int64_t batches, int64_t classes, int64_t n) { return size_t(batches * classes * (2 * n + 1)); }

class nms_kernel final : public kernel {
 public:
  explicit nms_kernel(bool center) : center_(center) {}

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>&) const override {
    if (in.size() < 2 || in[0].size() != 3 || in[1].size() != 3) return 0;
    return scratch_ints(in[0][0], in[1][1], in[0][1]) * sizeof(int32_t);
  }

  void execute(const exec_args& args) const override {
    const dtensor &boxes = args.in.at(0), &scores = args.in.at(1);
    if (boxes.rank() != 3 || scores.rank() != 3 || boxes.shape[2] != 4 || scores.shape[0] != boxes.shape[0] || scores.shape[2] != boxes.shape[1])
      fail(MIRT_STATUS_INVALID_SHAPE, "boxes ", dims_string(boxes.shape), " and scores ", dims_string(scores.shape),
           " do not match: expected [B, N, 4] and [B, C, N]");
    nms_params p;
    p.batches = boxes.shape[0], p.n = boxes.shape[1], p.classes = scores.shape[1];
    const bool has_max = args.input(2).present() && args.input(2).numel() > 0;
    const int64_t max_out = has_max ? read_int_input(args, 2, nullptr, "max_output_boxes_per_class").at(0) : 0;
    p.iou = args.input(3).present() && args.input(3).numel() > 0 ? read_scalar(args, 3, "input 3 (iou_threshold)") : 0.0;
    if (p.iou < 0 || p.iou > 1) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 3 (iou_threshold) is ", p.iou, ", expected 0 to 1");
    p.has_score = args.input(4).present() && args.input(4).numel() > 0;
    if (p.has_score) p.min_score = read_scalar(args, 4, "input 4 (score_threshold)");
    p.max_out = std::clamp<int64_t>(max_out, 0, p.n);
    const int64_t groups = p.batches * p.classes;
    std::vector<int32_t> counts(size_t(groups), 0), kept(size_t(groups * p.max_out));
    if (p.max_out > 0 && groups > 0) {
      const size_t need = scratch_ints(p.batches, p.classes, p.n) * sizeof(int32_t);
      if (args.workspace == nullptr || args.workspace_size < need)
        fail(MIRT_STATUS_FAILED_PRECONDITION, "NonMaxSuppression needs ", need, " bytes of workspace, the call has ", args.workspace_size);
      p.order = static_cast<int32_t*>(args.workspace);
      p.kept = p.order + groups * p.n;
      p.counts = p.kept + groups * p.n;
      p.box_dtype = boxes.dtype, p.score_dtype = scores.dtype, p.boxes = boxes.data, p.scores = scores.data, p.center = center_;
      throw_if_failed(launch_nms(p, args.stream));
      cuda_check(cudaMemcpyAsync(counts.data(), p.counts, counts.size() * sizeof(int32_t), cudaMemcpyDeviceToHost, args.stream),
                 "reading the kept counts");
      // kept is [groups, max_out] with max_out <= N: the first groups * max_out ints of its region.
      cuda_check(cudaMemcpyAsync(kept.data(), p.kept, kept.size() * sizeof(int32_t), cudaMemcpyDeviceToHost, args.stream),
                 "reading the kept boxes");
      cuda_check(cudaStreamSynchronize(args.stream), "reading the kept boxes");
    }
    std::vector<int64_t> rows;
    for (int64_t g = 0; g < groups; ++g)
      for (int32_t k = 0; k < counts[size_t(g)]; ++k) rows.insert(rows.end(), {g / p.classes, g % p.classes, int64_t(kept[size_t(g * p.max_out + k)])});
    const dtensor y = args.output(0, {int64_t(rows.size() / 3), 3});
    if (!rows.empty()) {
      cuda_check(cudaMemcpyAsync(y.data, rows.data(), rows.size() * sizeof(int64_t), cudaMemcpyHostToDevice, args.stream), "writing the selection");
      cuda_check(cudaStreamSynchronize(args.stream), "writing the selection");  // rows is freed on return
    }
  }

 private:
  bool center_;
};

}  // namespace

void add_nms_ops(std::vector<op_entry>& t) {
  t.push_back({"NonMaxSuppression", "cuda_non_max_suppression",
               [](const node_view& node, std::string& why) {
                 return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why) &&
                        input_dtype_in(node, 1, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<nms_kernel>(node.attr_int("center_point_box", 0) == 1);
               }});
}

}  // namespace mirt::cuda
