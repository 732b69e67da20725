// core/graph/schemas/schemas.hpp — one add_*_schemas() per op family file in this folder.
#pragma once

#include "core/graph/op_schema.hpp"

namespace mirt {

void add_elementwise_schemas(schema_table& table);  // elementwise.cpp
void add_all_standard_schemas(schema_table& table);  // all.cpp: calls every add_*_schemas

}  // namespace mirt
