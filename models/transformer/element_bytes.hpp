#pragma once
// Bytes per element of the number formats the kernels move.
namespace v3sim::models {

inline constexpr double kBf16 = 2;
inline constexpr double kFp32 = 4;
// FP8 with one FP32 scale per 128 channels (1x128 activation tiles).
inline constexpr double kFp8Scaled = 1 + 4.0 / 128;
// The input of the linear after attention is cached in E5M6 (12 bits).
inline constexpr double kE5M6 = 1.5;

}  // namespace v3sim::models
