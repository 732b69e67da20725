#include "backends/cpu/kernel.hpp"
namespace mirt::cpu { void add_pool_ops(std::vector<op_entry>&) {} }
