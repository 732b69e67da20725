#include "backends/cpu/kernel.hpp"
namespace mirt::cpu { void add_cast_ops(std::vector<op_entry>&) {} }
