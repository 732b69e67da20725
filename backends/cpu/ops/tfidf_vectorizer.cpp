// backends/cpu/ops/tfidf_vectorizer.cpp — TfIdfVectorizer: counts the pool's n-grams in each row of
// integer tokens (n from min_gram_length to max_gram_length, items skip_distance apart for every
// distance 1..max_skip_count + 1; unigrams once), then weights the counts by mode.
#include <algorithm>
#include <map>

#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class tfidf_kernel final : public kernel {
 public:
  explicit tfidf_kernel(const node_view& node)
      : min_n_(node.attr_int("min_gram_length", 1)),
        max_n_(node.attr_int("max_gram_length", 1)),
        max_skip_(node.attr_int("max_skip_count", 0)),
        indexes_(node.attr_ints("ngram_indexes", {})) {
    const std::string mode = node.attr_string("mode", "TF");
    mode_ = mode == "IDF" ? idf : mode == "TFIDF" ? tfidf : tf;
    if (const mirt_attribute* w = node.find("weights"); w && w->floats) weights_.assign(w->floats, w->floats + w->count);
    // The pool holds the 1-grams from ngram_counts[0], the 2-grams from ngram_counts[1], ...; the
    // k-th n-gram of the whole pool (all sizes, in order) goes to output ngram_indexes[k].
    const std::vector<int64_t> pool = node.attr_ints("pool_int64s", {}), counts = node.attr_ints("ngram_counts", {});
    size_t id = 0;
    for (size_t c = 0; c < counts.size(); ++c) {
      const int64_t n = int64_t(c) + 1, begin = counts[c];
      const int64_t end = c + 1 < counts.size() ? counts[c + 1] : int64_t(pool.size());
      for (int64_t at = begin; at + n <= end; at += n, ++id) {
        if (n < min_n_ || n > max_n_) continue;
        if (id >= indexes_.size()) fail(MIRT_STATUS_INVALID_GRAPH, "ngram_indexes has ", indexes_.size(), " entries, the pool more n-grams");
        grams_[std::vector<int64_t>(pool.begin() + at, pool.begin() + at + n)] = indexes_[id];
      }
    }
    size_ = *std::max_element(indexes_.begin(), indexes_.end()) + 1;
  }

  void execute(const exec_args& args) const override {
    const tensor& x = args.in.at(0);
    const std::vector<int64_t> tokens = read_int_tensor(x, "input 0");
    const int64_t rows = x.rank() == 2 ? x.shape[0] : 1, cols = x.shape.empty() ? 0 : x.shape.back();
    float* y = args.out.at(0).as<float>();
    std::vector<int64_t> counts(static_cast<size_t>(size_), 0);
    std::vector<int64_t> gram;
    for (int64_t r = 0; r < rows; ++r) {
      std::fill(counts.begin(), counts.end(), 0);
      const int64_t* row = tokens.data() + r * cols;
      int64_t first_n = min_n_;  // unigrams count once, not once per skip distance
      for (int64_t skip = 1; skip <= max_skip_ + 1 && first_n <= max_n_; ++skip) {
        for (int64_t start = 0; start + skip * (first_n - 1) < cols; ++start) {
          gram.clear();
          for (int64_t n = 1, at = start; n <= max_n_ && at < cols; ++n, at += skip) {
            gram.push_back(row[at]);
            if (n < first_n) continue;
            if (auto it = grams_.find(gram); it != grams_.end()) ++counts[size_t(it->second)];
          }
        }
        if (first_n == 1) first_n = 2;
      }
      for (int64_t i = 0; i < size_; ++i) {
        const double w = weights_.empty() ? 1.0 : weights_[size_t(i)], f = double(counts[size_t(i)]);
        y[r * size_ + i] = float(mode_ == tf ? f : mode_ == idf ? (f > 0 ? w : 0.0) : w * f);
      }
    }
  }

 private:
  enum weighting { tf, idf, tfidf };
  int64_t min_n_, max_n_, max_skip_, size_ = 0;
  std::vector<int64_t> indexes_;
  std::vector<float> weights_;
  weighting mode_ = tf;
  std::map<std::vector<int64_t>, int64_t> grams_;  // n-gram -> output index
};

}  // namespace

void add_tfidf_vectorizer_ops(std::vector<op_entry>& t) {
  t.push_back({"TfIdfVectorizer", "ref_tfidf_vectorizer",
               [](const node_view& node, std::string& why) {
                 return input_dtype_in(node, 0, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<tfidf_kernel>(node); }});
}

}  // namespace mirt::cpu
