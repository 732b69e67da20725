// plugins/std/efficient_nms.cpp — mirt.plugins::EfficientNMS: batched, per-class non-maximum
// suppression with fixed-size outputs, the form of TensorRT's EfficientNMS_TRT that exported
// detectors (YOLO, EfficientDet, SSD) end with. ONNX's NonMaxSuppression returns data-dependent
// index lists instead, which detectors then gather from.
//   inputs:  boxes [B, N, 4] float32 (box_coding 0: x1, y1, x2, y2; 1: cx, cy, w, h),
//            scores [B, N, C] float32
//   outputs: num_detections [B, 1] int32, detection_boxes [B, K, 4] float32 (corners),
//            detection_scores [B, K] float32, detection_classes [B, K] int32, with K =
//            max_output_boxes; slots past num_detections are zero.
// Candidates are (box, class) pairs scoring above score_threshold (background_class excluded),
// taken by descending score; one is dropped when its IoU with a kept box of the same class (any
// class when class_agnostic) exceeds iou_threshold. float32, on the CPU and, where built, on CUDA
// (efficient_nms.cu), which keeps the same boxes in the same order.
#include <algorithm>
#include <cstring>

#include "plugins/std/cuda_kernels.hpp"
#include "plugins/std/nms_box.hpp"
#include "plugins/std/plugins.hpp"
#include "plugins/std/tensor_util.hpp"

namespace mirt_std_plugins {

namespace {

using box = nms_box;

class efficient_nms_kernel final : public mp::kernel {
 public:
  explicit efficient_nms_kernel(nms_params p) : p_(p) {}
  void execute(const mirt_kernel_io& io) const override {
    const int64_t batch = io.inputs[0].dims[0], n = io.inputs[0].dims[1], classes = io.inputs[1].dims[2];
    const int64_t k = p_.max_output_boxes;
    const auto* boxes = static_cast<const float*>(io.input_data[0]);
    const auto* scores = static_cast<const float*>(io.input_data[1]);
    auto* num = static_cast<int32_t*>(io.output_data[0]);
    auto* out_boxes = static_cast<float*>(io.output_data[1]);
    auto* out_scores = static_cast<float*>(io.output_data[2]);
    auto* out_classes = static_cast<int32_t*>(io.output_data[3]);
    struct candidate {
      float score;
      int64_t index, cls;
    };
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<candidate> cands;
      for (int64_t i = 0; i < n; ++i)
        for (int64_t c = 0; c < classes; ++c) {
          const float s = scores[(b * n + i) * classes + c];
          if (c != p_.background_class && s > p_.score_threshold) cands.push_back({s, i, c});
        }
      // Ties keep the lower box index first, so results do not depend on the sort's order.
      std::stable_sort(cands.begin(), cands.end(), [](const candidate& x, const candidate& y) { return x.score > y.score; });
      std::vector<candidate> kept;
      std::vector<box> kept_boxes;
      for (const candidate& c : cands) {
        if (static_cast<int64_t>(kept.size()) >= k) break;
        const box bx = nms_corners(boxes + (b * n + c.index) * 4, p_.box_coding);
        bool suppressed = false;
        for (size_t j = 0; j < kept.size() && !suppressed; ++j)
          suppressed = (p_.class_agnostic || kept[j].cls == c.cls) && nms_iou(kept_boxes[j], bx) > p_.iou_threshold;
        if (suppressed) continue;
        kept.push_back(c);
        kept_boxes.push_back(bx);
      }
      num[b] = static_cast<int32_t>(kept.size());
      std::memset(out_boxes + b * k * 4, 0, sizeof(float) * size_t(k) * 4);
      std::memset(out_scores + b * k, 0, sizeof(float) * size_t(k));
      std::memset(out_classes + b * k, 0, sizeof(int32_t) * size_t(k));
      for (size_t j = 0; j < kept.size(); ++j) {
        float* o = out_boxes + (b * k + int64_t(j)) * 4;
        o[0] = kept_boxes[j].x1, o[1] = kept_boxes[j].y1, o[2] = kept_boxes[j].x2, o[3] = kept_boxes[j].y2;
        out_scores[b * k + int64_t(j)] = kept[j].score;
        out_classes[b * k + int64_t(j)] = static_cast<int32_t>(kept[j].cls);
      }
    }
  }

 private:
  nms_params p_;
};

#ifdef MIRT_STD_PLUGINS_CUDA
class efficient_nms_cuda_kernel final : public mp::kernel {
 public:
  explicit efficient_nms_cuda_kernel(nms_params p) : p_(p) {}
  size_t workspace_size(const mirt_tensor_desc* inputs, const mirt_tensor_desc*) const override {
    return nms_cuda_workspace(inputs[0].dims[0], inputs[0].dims[1], inputs[1].dims[2]);
  }
  void execute(const mirt_kernel_io& io) const override {
    cuda::efficient_nms_args a{};
    a.boxes = static_cast<const float*>(io.input_data[0]);
    a.scores = static_cast<const float*>(io.input_data[1]);
    a.num_detections = static_cast<int32_t*>(io.output_data[0]);
    a.out_boxes = static_cast<float*>(io.output_data[1]);
    a.out_scores = static_cast<float*>(io.output_data[2]);
    a.out_classes = static_cast<int32_t*>(io.output_data[3]);
    a.batch = io.inputs[0].dims[0], a.n = io.inputs[0].dims[1], a.classes = io.inputs[1].dims[2];
    a.params = p_;
    a.workspace = io.workspace;
    const size_t needed = nms_cuda_workspace(a.batch, a.n, a.classes);
    if (needed > io.workspace_size || (needed && !io.workspace))
      throw mp::error("EfficientNMS: the workspace holds " + std::to_string(io.workspace_size) + " bytes, " +
                          std::to_string(needed) + " needed", MIRT_STATUS_INTERNAL);
    check_launch(cuda::launch_efficient_nms(a, io.stream), "EfficientNMS");
  }

 private:
  nms_params p_;
};
#endif

class efficient_nms final : public mp::layer {
 public:
  explicit efficient_nms(const mp::fields& f) {
    p_.score_threshold = f.get_float("score_threshold", 0.0f);
    p_.iou_threshold = f.get_float("iou_threshold", 0.5f);
    p_.max_output_boxes = f.get_int("max_output_boxes", 100);
    p_.background_class = f.get_int("background_class", -1);
    p_.box_coding = f.get_int("box_coding", 0);
    p_.class_agnostic = f.get_int("class_agnostic", 0);
    if (p_.max_output_boxes <= 0) throw mp::error("EfficientNMS: max_output_boxes must be positive");
    if (p_.box_coding != 0 && p_.box_coding != 1) throw mp::error("EfficientNMS: box_coding must be 0 or 1");
    if (p_.iou_threshold < 0 || p_.iou_threshold > 1) throw mp::error("EfficientNMS: iou_threshold must be in [0, 1]");
  }
  std::unique_ptr<mp::layer> clone() const override { return std::make_unique<efficient_nms>(*this); }
  size_t num_outputs() const override { return 4; }
  void output_dtypes(const mirt_dtype*, size_t, mirt_dtype* out, size_t) const override {
    out[0] = MIRT_DTYPE_INT32, out[1] = MIRT_DTYPE_FLOAT32, out[2] = MIRT_DTYPE_FLOAT32, out[3] = MIRT_DTYPE_INT32;
  }
  void output_shapes(const mirt_tensor_desc* in, size_t num_in, mirt_tensor_desc* out, size_t) const override {
    if (num_in != 2) throw mp::error("EfficientNMS takes boxes and scores");
    const mirt_tensor_desc &boxes = in[0], &scores = in[1];
    if (boxes.rank != 3 || (boxes.dims[2] >= 0 && boxes.dims[2] != 4) || scores.rank != 3)
      throw mp::error("EfficientNMS: boxes must be [batch, boxes, 4] and scores [batch, boxes, classes]",
                      MIRT_STATUS_INVALID_SHAPE);
    for (int d = 0; d < 2; ++d)
      if (boxes.dims[d] >= 0 && scores.dims[d] >= 0 && boxes.dims[d] != scores.dims[d])
        throw mp::error("EfficientNMS: boxes and scores disagree in dim " + std::to_string(d), MIRT_STATUS_INVALID_SHAPE);
    const int64_t batch = boxes.dims[0], k = p_.max_output_boxes;
    out[0].rank = 2, out[0].dims[0] = batch, out[0].dims[1] = 1;
    out[1].rank = 3, out[1].dims[0] = batch, out[1].dims[1] = k, out[1].dims[2] = 4;
    out[2].rank = 2, out[2].dims[0] = batch, out[2].dims[1] = k;
    out[3].rank = 2, out[3].dims[0] = batch, out[3].dims[1] = k;
  }
  bool supports(const mirt_dtype* in, size_t num_in, const mirt_dtype*, size_t) const override {
    return num_in == 2 && in[0] == MIRT_DTYPE_FLOAT32 && in[1] == MIRT_DTYPE_FLOAT32;
  }
  // The CUDA kernel's candidate lists (0 where built without CUDA): the builder checks this against its
  // memory limit without knowing the backend.
  size_t workspace_size(const mirt_tensor_desc* in, size_t, const mirt_tensor_desc*, size_t) const override {
    return with_cuda ? nms_cuda_workspace(in[0].dims[0], in[0].dims[1], in[1].dims[2]) : 0;
  }
  std::vector<std::string> tactics(std::string_view backend, const mirt_node_info&) const override {
    return tactics_on(backend, "std_efficient_nms");
  }
  std::unique_ptr<mp::kernel> create_kernel(std::string_view backend, const mirt_node_info&,
                                            std::string_view) const override {
#ifdef MIRT_STD_PLUGINS_CUDA
    if (backend == "cuda") return std::make_unique<efficient_nms_cuda_kernel>(p_);
#endif
    (void)backend;
    return std::make_unique<efficient_nms_kernel>(p_);
  }
  std::vector<mp::field> serialize() const override {
    return {mp::field::of_float("score_threshold", p_.score_threshold),
            mp::field::of_float("iou_threshold", p_.iou_threshold),
            mp::field::of_int("max_output_boxes", p_.max_output_boxes),
            mp::field::of_int("background_class", p_.background_class), mp::field::of_int("box_coding", p_.box_coding),
            mp::field::of_int("class_agnostic", p_.class_agnostic)};
  }

 private:
  nms_params p_;
};

const mirt_plugin_field_spec efficient_nms_fields[] = {
    {"score_threshold", MIRT_ATTRIBUTE_TYPE_FLOAT, 0, 0}, {"iou_threshold", MIRT_ATTRIBUTE_TYPE_FLOAT, 0, 0},
    {"max_output_boxes", MIRT_ATTRIBUTE_TYPE_INT, 0, 1},  {"background_class", MIRT_ATTRIBUTE_TYPE_INT, 0, 0},
    {"box_coding", MIRT_ATTRIBUTE_TYPE_INT, 0, 0},        {"class_agnostic", MIRT_ATTRIBUTE_TYPE_INT, 0, 0},
};

}  // namespace

const mirt_plugin_creator efficient_nms_creator = mp::creator_of<efficient_nms>(
    "EfficientNMS", "1", "mirt.plugins", "batched per-class NMS with fixed-size outputs (TensorRT's EfficientNMS_TRT)",
    efficient_nms_fields, 6);

}  // namespace mirt_std_plugins
