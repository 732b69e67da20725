// core/graph/schemas/all.cpp — the standard op set: every family's schemas, in one explicit list.
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

void add_all_standard_schemas(schema_table& table) {
  add_elementwise_schemas(table);
}

}  // namespace mirt
