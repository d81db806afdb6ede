#include "models/sm_partition.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace v3sim::models {
namespace {

TEST(SmPartition, DeepSeekV3TrainingSplit) {
  // 20 of 132 SMs communicate (reference section 3): compute keeps 112.
  SmPartition p{132, 20, false};
  EXPECT_EQ(p.compute_sms(), 112);
  EXPECT_DOUBLE_EQ(p.compute_slowdown(), 132.0 / 112.0);
  EXPECT_DOUBLE_EQ(p.comm_cap(5.4e9), 20 * 5.4e9);
}

TEST(SmPartition, OffloadGivesComputeEverySmAndCommNoCap) {
  SmPartition p{132, 20, true};
  EXPECT_EQ(p.compute_sms(), 132);
  EXPECT_DOUBLE_EQ(p.compute_slowdown(), 1.0);
  EXPECT_TRUE(std::isinf(p.comm_cap(5.4e9)));
}

TEST(SmPartition, CommMustLeaveSmsForCompute) {
  EXPECT_THROW((SmPartition{132, 132, false}.comm_cap(1)), std::invalid_argument);
  EXPECT_THROW((SmPartition{132, 0, false}.comm_cap(1)), std::invalid_argument);
}

}  // namespace
}  // namespace v3sim::models
