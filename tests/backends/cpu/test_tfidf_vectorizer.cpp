// tests/backends/cpu/test_tfidf_vectorizer.cpp — TfIdfVectorizer against a reference written here
// in float64 that enumerates every (n, skip distance, start) skip-gram of each row on its own.
#include <doctest/doctest.h>

#include <map>
#include <random>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

struct tfidf_case {
  int64_t min_n, max_n, max_skip;
  std::string mode;
  std::vector<int64_t> pool, counts, indexes;
  std::vector<float> weights;
};

// Counts of each output index, weighted as mode says; one row of `cols` tokens at a time.
std::vector<double> reference(const tfidf_case& c, const std::vector<int64_t>& tokens, int64_t rows, int64_t cols) {
  std::map<std::vector<int64_t>, int64_t> grams;
  size_t id = 0;
  for (size_t k = 0; k < c.counts.size(); ++k) {
    const int64_t n = int64_t(k) + 1, end = k + 1 < c.counts.size() ? c.counts[k + 1] : int64_t(c.pool.size());
    for (int64_t at = c.counts[k]; at + n <= end; at += n, ++id)
      if (n >= c.min_n && n <= c.max_n) grams[{c.pool.begin() + at, c.pool.begin() + at + n}] = c.indexes[id];
  }
  int64_t size = 0;
  for (int64_t i : c.indexes) size = std::max(size, i + 1);
  std::vector<double> y;
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> f(size_t(size), 0.0);
    for (int64_t n = c.min_n; n <= c.max_n; ++n)
      for (int64_t skip = 1; skip <= (n == 1 ? 1 : c.max_skip + 1); ++skip)
        for (int64_t start = 0; start + (n - 1) * skip < cols; ++start) {
          std::vector<int64_t> g;
          for (int64_t j = 0; j < n; ++j) g.push_back(tokens[size_t(r * cols + start + j * skip)]);
          if (auto it = grams.find(g); it != grams.end()) f[size_t(it->second)] += 1;
        }
    for (int64_t i = 0; i < size; ++i) {
      const double w = c.weights.empty() ? 1.0 : c.weights[size_t(i)];
      y.push_back(c.mode == "TF" ? f[size_t(i)] : c.mode == "IDF" ? (f[size_t(i)] > 0 ? w : 0) : w * f[size_t(i)]);
    }
  }
  return y;
}

op_call make_call(const tfidf_case& c, tensor_data x, shape_t out_shape) {
  attr weights{"weights", MIRT_ATTRIBUTE_TYPE_FLOATS, {}, c.weights, {}};
  op_call call{"TfIdfVectorizer", {std::move(x)}, {{MIRT_DTYPE_FLOAT32, std::move(out_shape)}},
               {attr_i("min_gram_length", c.min_n), attr_i("max_gram_length", c.max_n), attr_i("max_skip_count", c.max_skip),
                attr_s("mode", c.mode), attr_ints("pool_int64s", c.pool), attr_ints("ngram_counts", c.counts),
                attr_ints("ngram_indexes", c.indexes)}};
  if (!c.weights.empty()) call.attrs.push_back(weights);
  return call;
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("TfIdfVectorizer: 1- to 3-grams with skips, every mode, int64 rows and an int32 vector") {
  // Unigrams {2}, {3}; bigrams {1,2}, {2,3}, {4,4}; trigram {1,2,3}; output positions permuted.
  tfidf_case c{1, 3, 2, "TF", {2, 3, 1, 2, 2, 3, 4, 4, 1, 2, 3}, {0, 2, 8}, {5, 0, 3, 1, 4, 2}, {}};
  std::mt19937 gen(9);
  std::vector<int64_t> tokens(3 * 9);
  for (int64_t& t : tokens) t = std::uniform_int_distribution<int64_t>(0, 4)(gen);
  for (const char* mode : {"TF", "IDF", "TFIDF"}) {
    CAPTURE(mode);
    c.mode = mode;
    c.weights = std::string(mode) == "TF" ? std::vector<float>{} : std::vector<float>{0.5f, 1.5f, 2.f, 0.25f, 3.f, 1.f};
    const std::vector<double> want = reference(c, tokens, 3, 9);
    double total = 0;
    for (double v : want) total += v;
    CHECK(total > 0);  // the random rows hold some of the pool's n-grams
    check_close(run_f32(make_call(c, i64({3, 9}, tokens), {3, 6})), want);
  }
  // Bigrams only (min 2), no skips, one int32 row: "1 2 3 1 2" holds {1,2} twice and {2,3} once.
  tfidf_case bigrams{2, 2, 0, "TF", {2, 3, 1, 2, 2, 3}, {0, 2}, {0, 1, 2, 3}, {}};
  const std::vector<int32_t> row = {1, 2, 3, 1, 2};
  check_close(run_f32(make_call(bigrams, i32({5}, row), {4})), reference(bigrams, {1, 2, 3, 1, 2}, 1, 5));
  check_close(run_f32(make_call(bigrams, i32({5}, row), {4})), {0, 0, 2, 1});
}

}  // TEST_SUITE
