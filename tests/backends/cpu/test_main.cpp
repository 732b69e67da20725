// tests/backends/cpu/test_main.cpp — doctest's main for the cpu backend suite.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
