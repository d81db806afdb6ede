#pragma once
// Small constructors for the kernels the serving step lists: a memory-bound
// kernel of a class, and a GEMM of a shape.
#include <cmath>
#include <cstdint>
#include <string>

#include "models/transformer/kernel_op.hpp"

namespace v3sim::models {

inline std::int64_t rows_of(double x) { return static_cast<std::int64_t>(std::ceil(x)); }

inline KernelOp memory_op(const std::string& name, const std::string& cls, double bytes, int launches = 1) {
  KernelOp op;
  op.name = name;
  op.kind = KernelKind::kMemory;
  op.kernel_class = cls;
  op.bytes = bytes;
  op.launches = launches;
  return op;
}

inline KernelOp gemm_op(const std::string& name, double m, double n, double k, int groups, bool fp8,
                        const std::string& cls) {
  KernelOp op;
  op.name = name;
  op.kind = KernelKind::kGemm;
  op.shape = calibration::GemmShape{rows_of(m), rows_of(n), rows_of(k), groups};
  op.precision = fp8 ? calibration::GemmPrecision::kFp8 : calibration::GemmPrecision::kBf16;
  op.kernel_class = cls;
  op.flops = op.model_flops = op.shape.flops();
  return op;
}

}  // namespace v3sim::models
