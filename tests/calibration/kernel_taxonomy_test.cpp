// The kernel taxonomy profiler traces are classified by
// (calibration/kernel_classes.json): the shipped one counted by hand, and
// bad taxonomies refused at their JSON pointer.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calibration/profiler_trace.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::calibration {
namespace {

using nlohmann::json;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(ProfilerTraceTaxonomy, ShippedTaxonomyListsItsClasses) {
  const KernelTaxonomy& t = default_taxonomy();
  EXPECT_EQ(t.class_names().size(), 26u);  // the classes of kernel_classes.json, counted by hand
  EXPECT_EQ(t.patterns.front().name, "gemm_fp8");
  EXPECT_EQ(t.patterns.back().name, "elementwise");
  EXPECT_EQ(t.comm_classes, (std::vector<std::string>{"ep_notify", "ep_layout", "ep_dispatch", "ep_combine"}));
  EXPECT_EQ(t.gemm_classes, (std::vector<std::string>{"gemm_fp8", "gemm_grouped", "gemm_wgrad", "gemm_bf16"}));
  EXPECT_EQ(t.components.at("attn"), "attention");
  EXPECT_TRUE(has(t.source, "4496024"));
  const std::string listing = describe_kernel_classes(t);
  EXPECT_EQ(std::count(listing.begin(), listing.end(), '\n'), 26);
  EXPECT_TRUE(has(listing, "ep_combine         comm  ")) << listing;
  EXPECT_TRUE(has(listing, "gemm_wgrad         gemm  FP8 weight-gradient GEMM")) << listing;
}

TEST(ProfilerTraceTaxonomy, BadTaxonomiesNameThePointer) {
  auto pointer_of = [](const json& doc) {
    try {
      parse_taxonomy(doc.dump());
    } catch (const sim::InputError& e) {
      return e.pointer() + ": " + e.what();
    }
    return std::string("no error");
  };
  const json good = {{"source", "s"},
                     {"components", {{"attn", "attention"}}},
                     {"comm_classes", {"a2a"}},
                     {"gemm_classes", json::array()},
                     {"classes", {{{"name", "a2a"}, {"pattern", "dispatch"}, {"what", "w"}}}}};
  EXPECT_EQ(parse_taxonomy(good.dump()).patterns.size(), 1u);
  json bad = good;
  bad["classes"][0]["pattern"] = "dispatch(";
  EXPECT_TRUE(has(pointer_of(bad), "/classes/0/pattern: expected an ECMAScript regular expression")) << pointer_of(bad);
  bad = good;
  bad["comm_classes"] = {"a2a", "ep_dispatch"};
  EXPECT_EQ(pointer_of(bad), "/comm_classes/1: expected a class listed in /classes, got \"ep_dispatch\"");
  bad = good;
  bad["classes"][0]["name"] = "unclassified";
  EXPECT_TRUE(has(pointer_of(bad), "/classes/0/name: expected a class name other than")) << pointer_of(bad);
}

}  // namespace
}  // namespace v3sim::calibration
