// The DeepGEMM reference table: its numbers against the published notes, and
// the strict reader's errors.
#include "calibration/reference_table.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "sim/json_reader.hpp"

namespace v3sim::calibration {
namespace {

nlohmann::json source_file() {
  std::ifstream f(V3SIM_SOURCE_DIR "/calibration/reference/deepgemm_h800.json");
  return nlohmann::json::parse(f);
}

TEST(CalibReference, MatchesThePublishedTable) {
  // Literals copied from the reference notes (published-h800.md, section 5).
  struct Row {
    int groups;
    std::int64_t m, n, k;
    double tflops;
  };
  const Row rows[] = {
      {1, 64, 2112, 7168, 206},    {1, 64, 24576, 1536, 289},   {1, 64, 32768, 512, 219},
      {1, 64, 7168, 16384, 336},   {1, 64, 4096, 7168, 287},    {1, 64, 7168, 2048, 295},
      {1, 128, 2112, 7168, 352},   {1, 128, 24576, 1536, 535},  {1, 128, 32768, 512, 358},
      {1, 128, 7168, 16384, 645},  {1, 128, 4096, 7168, 533},   {1, 128, 7168, 2048, 510},
      {1, 4096, 2112, 7168, 1127}, {1, 4096, 24576, 1536, 1212}, {1, 4096, 32768, 512, 775},
      {1, 4096, 7168, 16384, 1520}, {1, 4096, 4096, 7168, 1410}, {1, 4096, 7168, 2048, 1168},
      {4, 8192, 4096, 7168, 1346}, {4, 8192, 7168, 2048, 1214}, {8, 4096, 4096, 7168, 1346},
      {8, 4096, 7168, 2048, 1214}};
  const ReferenceTable t = read_reference_table(source_file());
  ASSERT_EQ(t.cases.size(), std::size(rows));
  for (std::size_t i = 0; i < t.cases.size(); ++i) {
    const ReferenceCase& c = t.cases[i];
    EXPECT_EQ(c.sample.shape.groups, rows[i].groups) << i;
    EXPECT_EQ(c.sample.shape.m, rows[i].m) << i;
    EXPECT_EQ(c.sample.shape.n, rows[i].n) << i;
    EXPECT_EQ(c.sample.shape.k, rows[i].k) << i;
    EXPECT_EQ(c.tflops, rows[i].tflops) << i;
    EXPECT_EQ(c.sample.sms, 132);
    EXPECT_DOUBLE_EQ(c.sample.seconds, 2.0 * rows[i].groups * rows[i].m * rows[i].n * rows[i].k / (rows[i].tflops * 1e12));
  }
  EXPECT_EQ(t.source.commit, "989c9e3");
  EXPECT_EQ(t.source.date, "2025-04-09");
  EXPECT_EQ(t.device.total_sms, 132);
  EXPECT_EQ(t.device.fp8_tflops, 1979);
  EXPECT_EQ(t.device.hbm_tb_per_s, 3.35);
  // The compiled-in copy is the file.
  EXPECT_EQ(deepgemm_h800_reference().cases.size(), t.cases.size());
  EXPECT_EQ(deepgemm_h800_reference().cases.back().sample.seconds, t.cases.back().sample.seconds);
}

std::string error_pointer(const nlohmann::json& doc, std::string* message = nullptr) {
  try {
    read_reference_table(doc);
  } catch (const sim::InputError& e) {
    if (message) *message = e.what();
    return e.pointer();
  }
  return "(no error)";
}

TEST(CalibReference, RejectsAMalformedTableWithThePointerOfTheBadField) {
  nlohmann::json doc = source_file();
  nlohmann::json bad = doc;
  bad["cases"][3]["tflops"] = "fast";
  EXPECT_EQ(error_pointer(bad), "/cases/3/tflops");

  bad = doc;
  bad["cases"][5]["tflops"] = -1;
  EXPECT_EQ(error_pointer(bad), "/cases/5/tflops");

  bad = doc;
  bad["cases"][0].erase("tflops");
  bad["cases"][0]["tflop"] = 206;
  std::string message;
  EXPECT_EQ(error_pointer(bad, &message), "/cases/0/tflop");
  EXPECT_NE(message.find("did you mean 'tflops'"), std::string::npos) << message;

  bad = doc;
  bad["cases"][1]["groups"] = 2;  // a normal GEMM is one group
  EXPECT_EQ(error_pointer(bad), "/cases/1/groups");

  bad = doc;
  bad["cases"][19]["m"] = 8000;  // contiguous layout: rows per group aligned to 128
  EXPECT_EQ(error_pointer(bad), "/cases/19/m");

  bad = doc;
  bad["cases"][2]["kind"] = "grouped";
  EXPECT_EQ(error_pointer(bad, &message), "/cases/2/kind");

  bad = doc;
  bad["device"]["sms"] = 0;
  EXPECT_EQ(error_pointer(bad), "/device/sms");

  bad = doc;
  bad["cases"] = nlohmann::json::array();
  EXPECT_EQ(error_pointer(bad), "/cases");

  bad = doc;
  bad.erase("source");
  EXPECT_EQ(error_pointer(bad), "/source");
}

}  // namespace
}  // namespace v3sim::calibration
