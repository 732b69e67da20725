#include "backends/cpu/kernel.hpp"
namespace mirt::cpu { void add_conv_ops(std::vector<op_entry>&) {} }
