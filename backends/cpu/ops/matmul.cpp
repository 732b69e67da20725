#include "backends/cpu/kernel.hpp"
namespace mirt::cpu { void add_matmul_ops(std::vector<op_entry>&) {} }
