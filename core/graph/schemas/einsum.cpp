// core/graph/schemas/einsum.cpp — schema of Einsum: parses the equation (explicit or implicit
// output, "..." for broadcast dims, repeated labels for diagonals) and infers the output shape.
#include <map>

#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// One operand's labels; '.' stands for the whole ellipsis.
struct term {
  std::string labels;
  bool ellipsis = false;
};

result<term> parse_term(const infer_context& ctx, std::string_view text) {
  term t;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (t.ellipsis || text.substr(i, 3) != "...")
        return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "equation term '", text, "' has a malformed ellipsis");
      t.ellipsis = true;
      t.labels += '.';
      i += 2;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      t.labels += c;
    } else {
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "equation term '", text, "' holds '", c, "', expected letters");
    }
  }
  return t;
}

status infer_einsum(infer_context& ctx) {
  std::string eq;
  for (char c : ctx.attrs().get_string("equation", "")) if (c != ' ') eq += c;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<term> terms;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    MIRT_ASSIGN_OR_RETURN(term t, parse_term(ctx, std::string_view(lhs).substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    terms.push_back(t);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != ctx.num_inputs())
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "equation '", eq, "' has ", terms.size(), " operands, the node ",
                          ctx.num_inputs(), " inputs");
  std::map<char, dim> extents;
  std::map<char, int> counts;
  dims ellipsis;  // broadcast over every operand's ellipsis dims, right-aligned
  for (size_t i = 0; i < terms.size(); ++i) {
    const tensor_type& x = ctx.input(i);
    const size_t letters = terms[i].labels.size() - (terms[i].ellipsis ? 1 : 0);
    if (terms[i].ellipsis ? x.rank() < letters : x.rank() != letters)
      return ctx.error("input ", i, " has rank ", x.rank(), ", its equation term '", terms[i].labels, "' has ", letters, " labels");
    const size_t ell = x.rank() - letters;
    size_t d = 0;
    for (char c : terms[i].labels) {
      if (c == '.') {
        const dims part(x.shape.begin() + static_cast<long>(d), x.shape.begin() + static_cast<long>(d + ell));
        MIRT_ASSIGN_OR_RETURN(ellipsis, broadcast_shapes(ctx, ellipsis, part));
        d += ell;
        continue;
      }
      const dim& e = x.shape[d++];
      ++counts[c];
      auto [it, fresh] = extents.emplace(c, e);
      if (!fresh && it->second.known() && e.known() && it->second.value != e.value)
        return ctx.error("label '", c, "' has extents ", it->second.value, " and ", e.value);
      if (!it->second.known()) it->second = e;
    }
  }
  std::string out_labels;
  if (arrow == std::string::npos) {
    // Implicit output: the ellipsis, then the labels used once, alphabetically.
    out_labels = ellipsis.empty() ? "" : ".";
    for (const auto& [c, n] : counts)
      if (n == 1) out_labels += c;
  } else {
    MIRT_ASSIGN_OR_RETURN(term t, parse_term(ctx, std::string_view(eq).substr(arrow + 2)));
    out_labels = t.labels;
  }
  dims out;
  for (char c : out_labels) {
    if (c == '.') {
      out.insert(out.end(), ellipsis.begin(), ellipsis.end());
    } else if (!extents.count(c)) {
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "output label '", c, "' appears in no operand");
    } else {
      out.push_back(extents[c]);
    }
  }
  for (size_t i = 1; i < ctx.num_inputs(); ++i) MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 0));
  ctx.output(0) = tensor_type{ctx.input(0).dtype, std::move(out), true, std::nullopt};
  return {};
}

}  // namespace

void add_einsum_schemas(schema_table& table) {
  table.add(make_schema("Einsum", 1, 16, 1, 1, {{"equation", MIRT_ATTRIBUTE_TYPE_STRING, true}}, infer_einsum));
}

}  // namespace mirt
