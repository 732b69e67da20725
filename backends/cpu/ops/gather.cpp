#include "backends/cpu/kernel.hpp"
namespace mirt::cpu { void add_gather_ops(std::vector<op_entry>&) {} }
