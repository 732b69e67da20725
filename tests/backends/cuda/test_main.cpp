// tests/backends/cuda/test_main.cpp — doctest's main for the cuda backend suites.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
