#include "backends/cpu/kernel.hpp"
namespace mirt::cpu { void add_transpose_ops(std::vector<op_entry>&) {} }
