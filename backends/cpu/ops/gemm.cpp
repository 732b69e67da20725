#include "backends/cpu/kernel.hpp"
namespace mirt::cpu { void add_gemm_ops(std::vector<op_entry>&) {} }
