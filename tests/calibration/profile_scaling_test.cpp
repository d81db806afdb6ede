// A profile carried to another GPU by the stated rule, worked by hand.
#include <gtest/gtest.h>

#include "calibration/profile_scaling.hpp"

namespace v3sim::calibration {
namespace {

const HardwareTraits kFrom{"h800", 132, 989, 3.35, 200, 43.5};
const HardwareTraits kTo{"b200", 148, 2250, 8.0, 900, 87.0};

TEST(ProfileScaling, AbsoluteRatesFollowTheirBoundRelativeOnesStay) {
  Profile p;
  p.name = "x";
  p.hardware = "h800";
  p.gemm.compute_efficiency = 0.7;
  p.attention_forward_efficiency = 0.6;
  KernelClassParams norm;
  norm.gb_per_s = 2000;
  norm.at_sms = 112;
  norm.launch_us = 4;
  p.kernel_classes["rmsnorm"] = norm;
  KernelClassParams gemm;
  gemm.time_scale = 1.25;
  p.kernel_classes["gemm_fp8"] = gemm;
  KernelClassParams launch_only;
  launch_only.gb_per_s = 1e6;  // "no byte-bound term": not a rate
  launch_only.launch_us = 100;
  p.kernel_classes["transpose"] = launch_only;
  KernelClassParams mla;
  mla.gb_per_s = 3000;
  mla.tflops = 580;
  p.kernel_classes["mla_decode"] = mla;
  KernelClassParams ll;
  ll.gb_per_s = 41.25;
  ll.launch_us = 2.27;
  p.kernel_classes["ep_ll_dispatch"] = ll;
  p.comm_gb_per_s_per_sm = 5.4;
  p.memory_gb_per_s_per_sm = 20;

  const Profile s = scale_profile(p, kFrom, kTo);
  EXPECT_EQ(s.hardware, "b200");
  EXPECT_DOUBLE_EQ(s.gemm.compute_efficiency, 0.7);           // relative to the tensor peak
  EXPECT_DOUBLE_EQ(s.attention_forward_efficiency, 0.6);
  EXPECT_NEAR(s.kernel_classes.at("rmsnorm").gb_per_s, 2000 * 8.0 / 3.35, 1e-9);  // 4776.1 GB/s
  EXPECT_EQ(s.kernel_classes.at("rmsnorm").at_sms, 126);       // 112 x 148 / 132 = 125.6
  EXPECT_DOUBLE_EQ(s.kernel_classes.at("rmsnorm").launch_us, 4);
  EXPECT_DOUBLE_EQ(s.kernel_classes.at("gemm_fp8").time_scale, 1.25);
  EXPECT_DOUBLE_EQ(s.kernel_classes.at("transpose").gb_per_s, 1e6);
  EXPECT_NEAR(s.kernel_classes.at("mla_decode").gb_per_s, 3000 * 8.0 / 3.35, 1e-9);
  EXPECT_NEAR(s.kernel_classes.at("mla_decode").tflops, 580 * 2250.0 / 989, 1e-9);
  EXPECT_DOUBLE_EQ(s.kernel_classes.at("ep_ll_dispatch").gb_per_s, 41.25 * 2);  // twice the NIC
  EXPECT_DOUBLE_EQ(s.kernel_classes.at("ep_ll_dispatch").launch_us, 2.27);
  EXPECT_NEAR(s.memory_gb_per_s_per_sm, 20 * (8.0 / 148) / (3.35 / 132), 1e-9);  // HBM per SM
  EXPECT_NEAR(s.comm_gb_per_s_per_sm, 5.4 * 4.5, 1e-12);
  EXPECT_NE(s.kernel_classes.at("rmsnorm").provenance.note.find("scaled from h800 to b200"), std::string::npos);
  EXPECT_NE(s.description.find("measured on h800 and is scaled to b200"), std::string::npos);
}

}  // namespace
}  // namespace v3sim::calibration
