// backends/support/multinomial.hpp — what the cpu and cuda Multinomial kernels both check of the
// node: int32 or int64 out (the supports half), input 0 of rank 2 and sample_size >= 1 (at kernel
// creation).
#pragma once

#include <string>

#include "backends/support/node_view.hpp"

namespace mirt::support {

// Whether output 0 is int32 or int64; why names the dtype otherwise.
bool multinomial_output_supported(const node_view& node, std::string& why);

// Input 0's rank (2: [batch, classes]) and sample_size (>= 1); fails naming the culprit.
void check_multinomial(const node_view& node);

}  // namespace mirt::support
