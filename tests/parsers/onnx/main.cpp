// tests/parsers/onnx/main.cpp — doctest's main for the ONNX parser suite.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
