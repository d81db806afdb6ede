#include "sweeps.hpp"

#include <algorithm>

namespace v3sim::probes {
namespace {

std::vector<int> up_to(std::vector<int> counts, int device_sms) {
  counts.erase(std::remove_if(counts.begin(), counts.end(), [&](int c) { return c > device_sms; }), counts.end());
  if (std::find(counts.begin(), counts.end(), device_sms) == counts.end()) counts.push_back(device_sms);
  std::sort(counts.begin(), counts.end());
  return counts;
}

}  // namespace

std::vector<GemmSpec> deepgemm_shapes() {
  std::vector<GemmSpec> shapes;
  for (const std::int64_t m : {64, 128, 4096})
    for (const auto& [n, k] : std::vector<std::pair<std::int64_t, std::int64_t>>{
             {2112, 7168}, {24576, 1536}, {32768, 512}, {7168, 16384}, {4096, 7168}, {7168, 2048}})
      shapes.push_back({Precision::kFp8E4M3, m, n, k, 1, false});
  shapes.push_back({Precision::kFp8E4M3, 8192, 4096, 7168, 4, false});
  shapes.push_back({Precision::kFp8E4M3, 8192, 7168, 2048, 4, false});
  shapes.push_back({Precision::kFp8E4M3, 4096, 4096, 7168, 8, false});
  shapes.push_back({Precision::kFp8E4M3, 4096, 7168, 2048, 8, false});
  return shapes;
}

std::vector<GemmSpec> attention_shapes() {
  constexpr int kHeads = 128;
  return {{Precision::kBf16, 4096, 4096, 192, kHeads, true},
          {Precision::kBf16, 4096, 128, 4096, kHeads, true},
          {Precision::kBf16, 4096, 192, 4096, kHeads, true},
          {Precision::kBf16, 4096, 4096, 128, kHeads, true}};
}

std::vector<int> gemm_sm_targets(int device_sms) {
  std::vector<int> targets = up_to({112, 96, 66, 33}, device_sms);
  std::reverse(targets.begin(), targets.end());
  return targets;
}

std::vector<int> block_counts(int device_sms) { return up_to({4, 8, 12, 16, 20, 24, 32, 48, 64, 96}, device_sms); }

}  // namespace v3sim::probes
