#include "backends/cpu/kernel.hpp"
namespace mirt::cpu { void add_concat_split_ops(std::vector<op_entry>&) {} }
