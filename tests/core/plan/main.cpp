// tests/core/plan/main.cpp — doctest entry point of the core_plan suite.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
