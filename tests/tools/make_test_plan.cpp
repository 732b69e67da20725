// tests/tools/make_test_plan.cpp — writes a tiny plan (x -> Relu, + constant) for the CLI tests.
#include <iostream>
#include <vector>

#include "mirt/mirt.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_test_plan OUT.plan\n";
    return 2;
  }
  try {
    mirt::network net("cli_test");
    mirt::tensor x = net.add_input("x", MIRT_DTYPE_FLOAT32, {-1, 4});
    mirt::layer_options relu_opts;
    relu_opts.output_names = {"relu_out"};
    mirt::tensor relu = net.add_layer("Relu", {x}, {}, relu_opts).at(0);
    mirt::tensor c = net.add_constant("c", MIRT_DTYPE_FLOAT32, {4}, std::vector<float>{1, 2, 3, 4});
    mirt::layer_options add_opts;
    add_opts.output_names = {"sum"};
    net.mark_output(net.add_layer("Add", {relu, c}, {}, add_opts).at(0));
    mirt::builder_config config;
    config.set_profile_shape(config.add_profile(), "x", {1, 4}, {2, 4}, {8, 4});
    mirt::build(net, config).save(argv[1]);
  } catch (const mirt::error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
