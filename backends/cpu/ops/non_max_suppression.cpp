// backends/cpu/ops/non_max_suppression.cpp — NonMaxSuppression: per batch and class, the boxes
// above score_threshold taken greedily by descending score (equal scores: lower index first),
// each dropped when its IoU with one already kept exceeds iou_threshold, up to
// max_output_boxes_per_class. The output, int64 [kept, 3] rows (batch, class, box), is sized from
// the count (a data-dependent shape).
#include <algorithm>
#include <numeric>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

struct corners {
  double y_min, x_min, y_max, x_max;
  double area() const { return (y_max - y_min) * (x_max - x_min); }
};

// center_point_box 0: [y1, x1, y2, x2] with either diagonal; 1: [x_center, y_center, width, height].
corners corners_of(const double* b, bool center) {
  if (center) return {b[1] - b[3] / 2, b[0] - b[2] / 2, b[1] + b[3] / 2, b[0] + b[2] / 2};
  return {std::min(b[0], b[2]), std::min(b[1], b[3]), std::max(b[0], b[2]), std::max(b[1], b[3])};
}

// Whether a and b overlap by more than threshold (intersection over union); empty boxes never do.
bool overlaps(const corners& a, const corners& b, double threshold) {
  const double h = std::min(a.y_max, b.y_max) - std::max(a.y_min, b.y_min);
  const double w = std::min(a.x_max, b.x_max) - std::max(a.x_min, b.x_min);
  if (h <= 0 || w <= 0) return false;
  const double inter = h * w, uni = a.area() + b.area() - inter;
  if (a.area() <= 0 || b.area() <= 0 || uni <= 0) return false;
  return inter / uni > threshold;
}

// Element i of any numeric dtype as double (boxes and scores may be float16 or bfloat16).
double read_scalar_any(const tensor& t, int64_t i) {
  return dispatch_any(t.dtype, [&](auto tag) -> double {
    using T = typename decltype(tag)::type;
    return double(widen(t.as<const T>()[i]));
  });
}

std::vector<double> as_doubles(const tensor& t) {
  std::vector<double> v(size_t(t.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = read_scalar_any(t, int64_t(i));
  return v;
}

class nms_kernel final : public kernel {
 public:
  explicit nms_kernel(bool center) : center_(center) {}

  void execute(const exec_args& args) const override {
    const tensor &boxes_t = args.in.at(0), &scores_t = args.in.at(1);
    const int64_t batches = boxes_t.shape[0], n = boxes_t.shape[1], classes = scores_t.shape[1];
    if (boxes_t.shape[2] != 4 || scores_t.shape[0] != batches || scores_t.shape[2] != n)
      fail(MIRT_STATUS_INVALID_SHAPE, "boxes ", dims_string(boxes_t.shape), " and scores ", dims_string(scores_t.shape),
           " do not match: expected [B, N, 4] and [B, C, N]");
    const tensor& max_t = args.input(2);
    const int64_t max_out = max_t.present() && max_t.numel() > 0 ? read_int_tensor(max_t, "input 2 (max_output_boxes_per_class)")[0] : 0;
    const tensor& iou_t = args.input(3);
    const double iou = iou_t.present() && iou_t.numel() > 0 ? read_scalar_any(iou_t, 0) : 0.0;
    const tensor& score_t = args.input(4);
    const bool has_score = score_t.present() && score_t.numel() > 0;
    const double min_score = has_score ? read_scalar_any(score_t, 0) : 0.0;
    if (iou < 0 || iou > 1) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 3 (iou_threshold) is ", iou, ", expected 0 to 1");

    const std::vector<double> boxes = as_doubles(boxes_t), scores = as_doubles(scores_t);
    std::vector<int64_t> selected;  // (batch, class, box) triples
    std::vector<int64_t> order;
    std::vector<corners> kept;
    for (int64_t b = 0; b < batches && max_out > 0; ++b)
      for (int64_t c = 0; c < classes; ++c) {
        const double* s = scores.data() + (b * classes + c) * n;
        order.clear();
        for (int64_t i = 0; i < n; ++i)
          if (!has_score || s[i] > min_score) order.push_back(i);
        std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return s[x] > s[y]; });
        kept.clear();
        for (int64_t i : order) {
          const corners box = corners_of(boxes.data() + (b * n + i) * 4, center_);
          if (std::any_of(kept.begin(), kept.end(), [&](const corners& k) { return overlaps(k, box, iou); })) continue;
          kept.push_back(box);
          selected.insert(selected.end(), {b, c, i});
          if (int64_t(kept.size()) == max_out) break;
        }
      }
    const tensor out = args.output(0, {int64_t(selected.size() / 3), 3});
    std::copy(selected.begin(), selected.end(), out.as<int64_t>());
  }

 private:
  bool center_;
};

bool nms_supports(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why);
}

}  // namespace

void add_non_max_suppression_ops(std::vector<op_entry>& t) {
  t.push_back({"NonMaxSuppression", "ref_non_max_suppression", nms_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<nms_kernel>(node.attr_int("center_point_box", 0) == 1);
               }});
}

}  // namespace mirt::cpu
