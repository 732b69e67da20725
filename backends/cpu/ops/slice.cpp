#include "backends/cpu/kernel.hpp"
namespace mirt::cpu { void add_slice_ops(std::vector<op_entry>&) {} }
