// tests/core/graph/main.cpp — doctest's main for the graph and op schema suite.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
