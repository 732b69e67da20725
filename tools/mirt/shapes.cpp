// tools/mirt/shapes.cpp — parses the shape, file and size specs of the mirt command line.
#include "shapes.hpp"

#include "mirt/base.h"

#include <limits>

namespace mirt::cli {

namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Splits text at commas that are not inside single quotes.
std::vector<std::string_view> split_entries(std::string_view text) {
  std::vector<std::string_view> entries;
  bool in_quote = false;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && !in_quote)) {
      entries.push_back(text.substr(start, i - start));
      start = i + 1;
    } else if (text[i] == '\'') {
      in_quote = !in_quote;
    }
  }
  if (in_quote) throw spec_error("unterminated quote in " + quoted(text));
  return entries;
}

// Splits "name:value" (or "'na:me':value") into name and value.
std::pair<std::string, std::string_view> split_name(std::string_view entry, std::string_view what) {
  if (entry.empty()) throw spec_error("empty " + std::string(what) + " entry (stray ',')");
  std::string name;
  std::string_view rest;
  if (entry.front() == '\'') {
    const size_t close = entry.find('\'', 1);
    if (close == std::string_view::npos || close + 1 >= entry.size() || entry[close + 1] != ':')
      throw spec_error(std::string(what) + " entry " + quoted(entry) + " must look like 'name':value");
    name = std::string(entry.substr(1, close - 1));
    rest = entry.substr(close + 2);
  } else {
    const size_t colon = entry.rfind(':');
    if (colon == std::string_view::npos)
      throw spec_error(std::string(what) + " entry " + quoted(entry) + " has no ':' between name and value");
    name = std::string(entry.substr(0, colon));
    rest = entry.substr(colon + 1);
  }
  if (name.empty()) throw spec_error(std::string(what) + " entry " + quoted(entry) + " has an empty tensor name");
  return {name, rest};
}

uint64_t parse_digits(std::string_view token, std::string_view context, std::string_view what) {
  if (token.empty()) throw spec_error("empty " + std::string(what) + " in " + quoted(context));
  uint64_t value = 0;
  for (char c : token) {
    if (c < '0' || c > '9') throw spec_error("bad " + std::string(what) + " " + quoted(token) + " in " + quoted(context));
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10)
      throw spec_error(std::string(what) + " " + quoted(token) + " in " + quoted(context) + " is too large");
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace

std::vector<shape_spec> parse_shape_specs(std::string_view text) {
  std::vector<shape_spec> specs;
  if (text.empty()) return specs;
  for (std::string_view entry : split_entries(text)) {
    auto [name, rest] = split_name(entry, "shape");
    if (find_shape(specs, name) != nullptr) throw spec_error("tensor " + quoted(name) + " is given twice in " + quoted(text));
    shape_spec spec{name, {}};
    if (!rest.empty()) {
      size_t start = 0;
      for (size_t i = 0; i <= rest.size(); ++i) {
        if (i == rest.size() || rest[i] == 'x' || rest[i] == 'X') {
          const uint64_t d = parse_digits(rest.substr(start, i - start), entry, "dimension");
          if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            throw spec_error("dimension in " + quoted(entry) + " is too large");
          spec.dims.push_back(static_cast<int64_t>(d));
          start = i + 1;
        }
      }
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

std::vector<file_spec> parse_file_specs(std::string_view text) {
  std::vector<file_spec> specs;
  if (text.empty()) return specs;
  for (std::string_view entry : split_entries(text)) {
    auto [name, rest] = split_name(entry, "input file");
    if (rest.empty()) throw spec_error("input file entry " + quoted(entry) + " has an empty path");
    for (const file_spec& s : specs)
      if (s.name == name) throw spec_error("tensor " + quoted(name) + " is given twice in " + quoted(text));
    specs.push_back({name, std::string(rest)});
  }
  return specs;
}

std::vector<precision_spec> parse_precision_specs(std::string_view text) {
  std::vector<precision_spec> specs;
  if (text.empty()) return specs;
  for (std::string_view entry : split_entries(text)) {
    auto [name, rest] = split_name(entry, "layer precision");
    int dtype = 0;
    if (rest == "fp32" || rest == "float32") dtype = MIRT_DTYPE_FLOAT32;
    else if (rest == "fp16" || rest == "float16") dtype = MIRT_DTYPE_FLOAT16;
    else if (rest == "bf16" || rest == "bfloat16") dtype = MIRT_DTYPE_BFLOAT16;
    else throw spec_error("layer " + quoted(name) + ": precision " + quoted(rest) + " is not fp32, fp16 or bf16");
    for (const precision_spec& s : specs)
      if (s.layer == name) throw spec_error("layer " + quoted(name) + " is given twice in " + quoted(text));
    specs.push_back({name, dtype});
  }
  return specs;
}

uint64_t parse_byte_size(std::string_view text) {
  if (text.empty()) throw spec_error("empty byte size");
  uint64_t scale = 1;
  std::string_view digits = text;
  switch (text.back()) {
    case 'K': case 'k': scale = 1ull << 10; break;
    case 'M': case 'm': scale = 1ull << 20; break;
    case 'G': case 'g': scale = 1ull << 30; break;
    default: break;
  }
  if (scale != 1) digits.remove_suffix(1);
  const uint64_t value = parse_digits(digits, text, "byte size");
  if (value > std::numeric_limits<uint64_t>::max() / scale) throw spec_error("byte size " + quoted(text) + " is too large");
  return value * scale;
}

std::string format_dims(const std::vector<int64_t>& dims) {
  if (dims.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i != 0) s += 'x';
    s += dims[i] < 0 ? std::string("?") : std::to_string(dims[i]);
  }
  return s;
}

const shape_spec* find_shape(const std::vector<shape_spec>& specs, std::string_view name) {
  for (const shape_spec& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace mirt::cli
