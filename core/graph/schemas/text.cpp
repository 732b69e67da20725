// core/graph/schemas/text.cpp — the schema of TfIdfVectorizer: n-gram counts of integer token rows,
// weighted as term frequency, inverse document frequency or both (ONNX opset 9).
#include <algorithm>

#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// X int32/int64 [C] or [N, C] -> Y float32 [max(ngram_indexes) + 1] or [N, that].
status infer_tfidf_vectorizer(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.dtype != MIRT_DTYPE_INT32 && x.dtype != MIRT_DTYPE_INT64)
    return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "input 0 is ", mirt_dtype_name(x.dtype),
                          "; mirt takes int32 and int64 tokens (strings are not a mirt dtype)");
  if (x.rank() != 1 && x.rank() != 2) return ctx.error("input 0 has rank ", x.rank(), ", expected 1 ([C]) or 2 ([N, C])");
  const attribute_map& a = ctx.attrs();
  const std::vector<int64_t> indexes = a.get_ints("ngram_indexes"), counts = a.get_ints("ngram_counts");
  const std::vector<int64_t> pool = a.get_ints("pool_int64s");
  if (indexes.empty()) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'ngram_indexes' is empty");
  if (pool.empty())
    return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "attribute 'pool_int64s' is empty; mirt takes integer pools only");
  const int64_t min_n = a.get_int("min_gram_length", 0), max_n = a.get_int("max_gram_length", 0);
  if (min_n < 1 || max_n < min_n)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "min_gram_length ", min_n, " and max_gram_length ", max_n,
                          " need 1 <= min <= max");
  if (a.get_int("max_skip_count", 0) < 0) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "max_skip_count is negative");
  for (size_t i = 0; i < counts.size(); ++i)
    if (counts[i] < 0 || counts[i] > int64_t(pool.size()) || (i && counts[i] < counts[i - 1]))
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "ngram_counts ", counts[i], " at ", i,
                            " is not a rising start index into pool_int64s (", pool.size(), " entries)");
  if (*std::min_element(indexes.begin(), indexes.end()) < 0)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "ngram_indexes holds a negative index");
  const std::string mode = a.get_string("mode", "");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is '", mode, "', expected TF, IDF or TFIDF");
  const int64_t size = *std::max_element(indexes.begin(), indexes.end()) + 1;
  const std::vector<float> weights = a.get_floats("weights");
  if (!weights.empty() && int64_t(weights.size()) < size)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'weights' has ", weights.size(), " entries, the output ",
                          size);
  dims out;
  if (x.rank() == 2) out.push_back(x.shape[0]);
  out.push_back(extent(size));
  ctx.output(0) = tensor_type{MIRT_DTYPE_FLOAT32, out, true, std::nullopt};
  return {};
}

}  // namespace

void add_text_schemas(schema_table& table) {
  table.add(make_schema("TfIdfVectorizer", 1, 1, 1, 1,
                        {{"max_gram_length", MIRT_ATTRIBUTE_TYPE_INT, true},
                         {"max_skip_count", MIRT_ATTRIBUTE_TYPE_INT, true},
                         {"min_gram_length", MIRT_ATTRIBUTE_TYPE_INT, true},
                         {"mode", MIRT_ATTRIBUTE_TYPE_STRING, true},
                         {"ngram_counts", MIRT_ATTRIBUTE_TYPE_INTS, true},
                         {"ngram_indexes", MIRT_ATTRIBUTE_TYPE_INTS, true},
                         {"pool_int64s", MIRT_ATTRIBUTE_TYPE_INTS},
                         {"pool_strings", MIRT_ATTRIBUTE_TYPE_STRINGS},
                         {"weights", MIRT_ATTRIBUTE_TYPE_FLOATS}},
                        infer_tfidf_vectorizer));
}

}  // namespace mirt
