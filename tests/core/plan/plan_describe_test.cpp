// tests/core/plan/plan_describe_test.cpp — describe_plan_json gives complete, parseable JSON.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/plan/plan_describe.hpp"
#include "core/plan/plan_reader.hpp"
#include "core/plan/plan_writer.hpp"
#include "tests/core/plan/plan_samples.hpp"

namespace mirt {
namespace {

using nlohmann::json;

json describe_sample(size_t* plan_size = nullptr) {
  auto bytes = write_plan(test::make_sample_plan());
  REQUIRE(bytes.ok());
  auto model = read_plan(test::aligned_bytes(*bytes), bytes->size());
  REQUIRE_MESSAGE(model.ok(), model.error().message());
  if (plan_size) *plan_size = bytes->size();
  return json::parse(describe_plan_json(*model, bytes->size()));
}

TEST_CASE("describe_plan_json parses back and carries the header") {
  size_t size = 0;
  json doc = describe_sample(&size);
  const json& h = doc.at("header");
  CHECK(h.at("format") == "mirt-plan");
  CHECK(h.at("format_version") == 1);
  CHECK(h.at("mirt_version") == MIRT_VERSION_STRING);
  CHECK(h.at("backend").at("name") == "cpu");
  CHECK(h.at("backend").at("version") == "0.1.0");
  CHECK(h.at("device_signature") == "x86_64-avx2");
  CHECK(h.at("precision").at("names") == json::array({"fp16", "int8"}));
  CHECK(h.at("build_seconds") == 1.25);
  CHECK(h.at("plan_size") == size);
  CHECK(h.at("weights_size") == 512);
  CHECK(h.at("metadata_size").get<uint64_t>() > 0);
  CHECK(h.at("checksum").get<std::string>().rfind("0x", 0) == 0);
  CHECK(doc.at("network") == "sample_net");
}

TEST_CASE("describe_plan_json lists inputs and outputs with symbolic and dynamic dims") {
  json doc = describe_sample();
  REQUIRE(doc.at("inputs").size() == 2);
  const json& images = doc.at("inputs")[0];
  CHECK(images.at("name") == "images");
  CHECK(images.at("dtype") == "float32");
  CHECK(images.at("shape") == json::array({"batch", 3, -1, 8}));
  CHECK(doc.at("inputs")[1].at("name") == "mask");
  CHECK(doc.at("inputs")[1].at("shape").is_null());
  REQUIRE(doc.at("outputs").size() == 1);
  CHECK(doc.at("outputs")[0].at("name") == "out");
  CHECK(doc.at("outputs")[0].at("shape") == json::array({"batch", 4}));
}

TEST_CASE("describe_plan_json lists every layer with its attributes and tactic") {
  json doc = describe_sample();
  const json& layers = doc.at("layers");
  REQUIRE(layers.size() == 2);
  const json& conv = layers[0];
  CHECK(conv.at("name") == "stem/conv");
  CHECK(conv.at("op") == "Conv");
  CHECK(conv.at("domain") == "");
  CHECK(conv.at("inputs") == json::array({"images", "conv.weight", "conv.bias"}));
  CHECK(conv.at("outputs") == json::array({"hidden"}));
  const json& attrs = conv.at("attributes");
  CHECK(attrs.at("group") == 1);
  CHECK(attrs.at("alpha") == 0.5);
  CHECK(attrs.at("auto_pad") == "NOTSET");
  CHECK(attrs.at("pads") == json::array({1, 1, -1, INT64_MAX}));
  CHECK(attrs.at("scales") == json::array({1.5, -2.0, 0.0}));
  CHECK(attrs.at("labels") == json::array({"a", "", "\xc3\xbc"}));
  CHECK(attrs.at("no_values") == json::array());
  CHECK(conv.at("tactic").at("name") == "conv_direct_f32");
  CHECK(conv.at("tactic").at("id").get<uint64_t>() == 0xDEADBEEFCAFEF00DULL);
  const json& act = layers[1];
  CHECK(act.at("domain") == "com.example");
  CHECK(act.at("inputs") == json::array({"hidden", nullptr, "mask", "empty"}));
}

TEST_CASE("describe_plan_json gives each profile's ranges, arena and memory plan") {
  json doc = describe_sample();
  const json& profiles = doc.at("profiles");
  REQUIRE(profiles.size() == 2);
  const json& p1 = profiles[1];
  REQUIRE(p1.at("inputs").size() == 2);
  CHECK(p1.at("inputs")[0].at("name") == "images");
  CHECK(p1.at("inputs")[0].at("min") == json::array({16, 3, 32, 8}));
  CHECK(p1.at("inputs")[0].at("opt") == json::array({16, 3, 64, 8}));
  CHECK(p1.at("inputs")[0].at("max") == json::array({32, 3, 64, 8}));
  CHECK(p1.at("memory").at("arena_size") == 320);
  const json& tensors = p1.at("memory").at("tensors");
  REQUIRE(tensors.size() == 1);
  CHECK(tensors[0].at("tensor") == "hidden");
  CHECK(tensors[0].at("offset") == 64);
  CHECK(tensors[0].at("size_at_max") == 32 * 4 * 2);  // batch resolves to 32 through "images"
  CHECK(profiles[0].at("memory").at("tensors")[0].at("size_at_max") == 8 * 4 * 2);
}

TEST_CASE("describe_plan_json gives the weights section and each constant") {
  json doc = describe_sample();
  const json& w = doc.at("weights");
  CHECK(w.at("size") == 512);
  CHECK(w.at("count") == 3);
  CHECK(w.at("constants")[0] == json{{"index", 0}, {"tensor", "conv.weight"}, {"offset", 0}, {"size", 432}});
  CHECK(w.at("constants")[1].at("offset") == 448);
  CHECK(w.at("constants")[2].at("size") == 0);
}

TEST_CASE("describe_plan_json is the same text for the same plan") {
  auto bytes = write_plan(test::make_sample_plan());
  REQUIRE(bytes.ok());
  auto a = read_plan(test::aligned_bytes(*bytes), bytes->size());
  auto b = read_plan(test::aligned_bytes(*bytes), bytes->size());
  REQUIRE((a.ok() && b.ok()));
  CHECK(describe_plan_json(*a, bytes->size()) == describe_plan_json(*b, bytes->size()));
}

}  // namespace
}  // namespace mirt
