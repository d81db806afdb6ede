#pragma once
// Data fetched from public repositories lives beside the checkout in
// ../shared, never in the project. Tests that read it skip, saying what they
// need, where it is absent.
#include <filesystem>
#include <string>

namespace v3sim::shared {

// DeepSeek's published train.json (deepseek-ai/profile-data, commit 4496024).
inline const char* const kDeepSeekTrainTrace = "reference/profiles/deepseek-v3-train-ep64-chunk-pair.json";

// The path of `relative` under ../shared, or "" where it is absent.
inline std::string shared_file(const std::string& relative) {
  const std::filesystem::path p = std::filesystem::path(V3SIM_SOURCE_DIR) / ".." / "shared" / relative;
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) ? p.lexically_normal().string() : std::string();
}

}  // namespace v3sim::shared

// Skips the current test unless ../shared holds `relative`; binds its path to `var`.
#define V3SIM_NEED_SHARED_FILE(var, relative)                                                           \
  const std::string var = ::v3sim::shared::shared_file(relative);                                      \
  if (var.empty()) GTEST_SKIP() << "needs ../shared/" << (relative)                                     \
                                << " (DeepSeek's published train.json from deepseek-ai/profile-data); " \
                                   "absent here"
